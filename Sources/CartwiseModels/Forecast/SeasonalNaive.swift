/// The last season repeated (the last value when the history is shorter than a season): the
/// fallback when a history is too short for ETS. Its forecast variance grows with the number of
/// whole seasons ahead, as for a seasonal random walk.
package struct SeasonalNaive: Sendable {
    package let last: [Double]
    package let variance: Double

    /// - Parameters:
    ///   - y: the history; at least one value.
    ///   - period: the season length.
    package init(_ y: [Double], period: Int) {
        let m = y.count >= period && period > 1 ? period : 1
        last = Array(y.suffix(m))
        var sum = 0.0
        var count = 0
        if y.count > m {
            for t in m..<y.count {
                let e = y[t] - y[t - m]
                sum += e * e
                count += 1
            }
        }
        variance = count > 0 ? sum / Double(count) : 0
    }

    package var period: Int { last.count }

    package func mean(step: Int) -> Double { last[step % last.count] }

    /// - Parameter step: 0 for the next period.
    /// - Returns: the forecast variance of that period.
    package func variance(step: Int) -> Double { variance * Double(step / last.count + 1) }
}
