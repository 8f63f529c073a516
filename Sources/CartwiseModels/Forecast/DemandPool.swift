/// What a shop's items with enough history sell per day, as a gamma distribution of their
/// rates (method of moments, after the Poisson noise of each item's own estimate), and how
/// overdispersed a day's units are (variance over mean, at least 1).
package struct DemandPool: Sendable, Equatable {
    package let shape: Double
    package let rate: Double
    package let dispersion: Double
    package let items: Int

    /// A weak prior when no item has history yet: one unit a day, worth one day of evidence.
    package static let vague = DemandPool(shape: 1, rate: 1, dispersion: 1, items: 0)

    package init(shape: Double, rate: Double, dispersion: Double, items: Int) {
        self.shape = shape
        self.rate = rate
        self.dispersion = dispersion
        self.items = items
    }

    /// - Parameter histories: items' daily demand; those with at least 28 days count.
    /// - Returns: the pool, or ``vague`` with fewer than 5 such items.
    package static func estimate(_ histories: [[Double]]) -> DemandPool {
        var rates: [(rate: Double, days: Double)] = []
        var units = 0.0
        var days = 0.0
        var variances = 0.0
        var means = 0.0
        for y in histories where y.count >= 28 {
            let n = Double(y.count)
            let total = y.reduce(0, +)
            let mean = total / n
            var squares = 0.0
            for value in y { squares += (value - mean) * (value - mean) }
            rates.append((mean, n))
            units += total
            days += n
            variances += squares / n
            means += mean
        }
        guard rates.count >= 5, units > 0 else { return vague }
        let average = units / days
        let dispersion = max(variances / max(means, 1e-12), 1)
        var spread = 0.0
        var noise = 0.0
        for (rate, n) in rates {
            spread += (rate - average) * (rate - average)
            noise += average * dispersion / n
        }
        let between = max((spread - noise) / Double(rates.count), average * average * 0.01)
        return DemandPool(
            shape: average * average / between,
            rate: average / between,
            dispersion: dispersion,
            items: rates.count
        )
    }
}
