/// One customer's purchase history as the buy-till-you-die models read it, in weeks: how many
/// repeat purchases (purchase days after the first), when the last one came after the first
/// (`recency`, t_x) and how long the customer has been one (`age`, T, from the first purchase
/// to the end of the observation).
///
/// Purchases are counted in days, as in the BG/NBD papers: two orders on one day are one
/// purchase occasion, since what the model describes is how often a customer comes back.
package struct RepeatPurchases: Sendable, Hashable {
    /// x: purchase days after the first.
    package var repeats: Double
    /// t_x in weeks: the last purchase day minus the first.
    package var recency: Double
    /// T in weeks: the end of the observation minus the first purchase day.
    package var age: Double

    package init(repeats: Double, recency: Double, age: Double) {
        self.repeats = repeats
        self.recency = recency
        self.age = age
    }

    /// From purchase days (days since any fixed origin, sorted, distinct) up to and including
    /// `asOf`; nil when there is none by then.
    /// - Parameters:
    ///   - days: the distinct purchase days, ascending.
    ///   - asOf: the last day of the observation.
    /// - Returns: the summary, or nil when the first purchase is after `asOf`.
    package static func from(days: some Collection<Int32>, asOf: Int32) -> RepeatPurchases? {
        guard let first = days.first, first <= asOf else { return nil }
        var count = 0
        var last = first
        for day in days where day <= asOf {
            count += 1
            last = day
        }
        return RepeatPurchases(
            repeats: Double(count - 1),
            recency: Double(last - first) / 7,
            age: Double(asOf - first) / 7
        )
    }
}

/// Many customers with the same summary count once, with a weight: the likelihood of a cohort
/// is a sum over distinct histories, and day-level data repeats them a great deal (the CDNOW
/// cohort's 23,570 customers have 8,500 distinct ones).
package struct WeightedSummaries<Key: Hashable & Sendable>: Sendable {
    package var keys: [Key] = []
    package var weights: [Double] = []

    package init(_ values: some Sequence<Key>) {
        var positions: [Key: Int] = [:]
        for value in values {
            if let position = positions[value] {
                weights[position] += 1
            } else {
                positions[value] = keys.count
                keys.append(value)
                weights.append(1)
            }
        }
    }

    /// Every customer counted once.
    package var total: Double { weights.reduce(0, +) }
}
