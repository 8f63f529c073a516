/// The forecast of a series too short for a model of its own: an item first sold a few days
/// ago, an uploaded series of two points.
///
/// - Items with a ``DemandPool``: the pool's gamma prior on the daily rate, updated with the
///   item's own units and days (a gamma-Poisson posterior). A new item starts at what items of
///   the shop sell, and moves towards its own rate as its days accumulate; the variance holds
///   the daily overdispersion and the rate's own uncertainty, so the interval is wide while
///   the history is short.
/// - Anything else: the history's mean, with a standard deviation of at least the mean itself
///   (the answer says the history is insufficient, and its interval says so too).
package struct ShortHistoryModel: Sendable {
    package enum Kind: String, Sendable {
        case pooled = "Pooled"
        case mean = "Mean"
    }

    package let kind: Kind
    package let mean: Double
    /// A period's variance: its own noise plus ``levelVariance``.
    package let variance: Double
    /// The variance of the estimated level itself, shared by every period ahead.
    package let levelVariance: Double

    /// Whether `y` is too short for the models: fewer than two periods with demand, or fewer
    /// than two seasons (at least 8 periods).
    package static func isInsufficient(_ y: [Double], period: Int) -> Bool {
        let nonZero = y.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        return nonZero < 2 || y.count < max(2 * period, 8)
    }

    /// - Parameters:
    ///   - y: the short history; at least one value.
    ///   - pool: what the shop's other items sell (nil for uploaded series).
    package init(_ y: [Double], pool: DemandPool?) {
        let n = Double(y.count)
        let total = y.reduce(0, +)
        if let pool, y.allSatisfy({ $0 >= 0 }) {
            kind = .pooled
            let shape = pool.shape + total
            mean = shape / (pool.rate + n)
            levelVariance = mean * mean / shape
            variance = mean * pool.dispersion + levelVariance
        } else {
            kind = .mean
            mean = total / n
            var squares = 0.0
            for value in y { squares += (value - mean) * (value - mean) }
            let sample = y.count > 1 ? squares / (n - 1) : 0
            let noise = max(sample, mean * mean, 1)
            levelVariance = noise / n
            variance = noise + levelVariance
        }
    }
}

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
