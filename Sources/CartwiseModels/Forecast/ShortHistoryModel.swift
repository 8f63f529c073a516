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
