/// How many differences a series needs, as R's `forecast` and statsforecast decide it before
/// searching the ARMA orders: the KPSS test for the non-seasonal ones, the seasonal strength
/// for the seasonal one.
package enum UnitRootTests {
    /// The KPSS level-stationarity statistic with a Bartlett long-run variance over
    /// trunc(3 sqrt(n) / 13) lags (`ndiffs`'s choice).
    package static func kpss(_ x: [Double]) -> Double {
        let n = x.count
        let mean = x.reduce(0, +) / Double(n)
        let e = x.map { $0 - mean }
        var partial = 0.0
        var numerator = 0.0
        for value in e {
            partial += value
            numerator += partial * partial
        }
        let lags = Int((3 * Double(n).squareRoot() / 13).rounded(.down))
        var variance = 0.0
        for value in e { variance += value * value }
        for l in stride(from: 1, through: lags, by: 1) {
            var s = 0.0
            for t in l..<n { s += e[t] * e[t - l] }
            variance += 2 * (1 - Double(l) / Double(lags + 1)) * s
        }
        variance /= Double(n)
        guard variance > 0 else { return 0 }
        return numerator / (Double(n) * Double(n) * variance)
    }

    /// Non-seasonal differences (at most `maximum`): difference while the KPSS test rejects
    /// level stationarity at 5 % (critical value 0.463).
    package static func differences(_ x: [Double], maximum: Int = 2) -> Int {
        var series = x
        var d = 0
        while d < maximum {
            guard series.count > 2, let first = series.first, series.contains(where: { $0 != first }) else { break }
            guard kpss(series) > 0.463 else { break }
            series = zip(series.dropFirst(), series).map { $0 - $1 }
            d += 1
        }
        return d
    }

    /// The strength of the seasonal component, max(0, 1 - var(remainder) / var(season +
    /// remainder)), from a classical additive decomposition (a centred moving average for the
    /// trend, the mean detrended value of each season's position). statsforecast decomposes
    /// with STL; both read 0.64 as the threshold.
    package static func seasonalStrength(_ x: [Double], period m: Int) -> Double {
        let n = x.count
        guard m > 1, n >= 2 * m else { return 0 }
        var trend = [Double?](repeating: nil, count: n)
        let half = m / 2
        for t in half..<(n - half) {
            var s = 0.0
            if m % 2 == 0 {
                s += 0.5 * x[t - half] + 0.5 * x[t + half]
                for k in (t - half + 1)..<(t + half) { s += x[k] }
            } else {
                for k in (t - half)...(t + half) { s += x[k] }
            }
            trend[t] = s / Double(m)
        }
        var sums = [Double](repeating: 0, count: m)
        var counts = [Int](repeating: 0, count: m)
        for t in 0..<n {
            guard let level = trend[t] else { continue }
            sums[t % m] += x[t] - level
            counts[t % m] += 1
        }
        var season = (0..<m).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : 0 }
        let centre = season.reduce(0, +) / Double(m)
        season = season.map { $0 - centre }
        var remainder: [Double] = []
        var detrended: [Double] = []
        for t in 0..<n {
            guard let level = trend[t] else { continue }
            detrended.append(x[t] - level)
            remainder.append(x[t] - level - season[t % m])
        }
        func variance(_ v: [Double]) -> Double {
            let mean = v.reduce(0, +) / Double(v.count)
            return v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(v.count - 1, 1))
        }
        let total = variance(detrended)
        guard total > 0 else { return 0 }
        return max(0, min(1, 1 - variance(remainder) / total))
    }

    /// Seasonal differences: one when the seasonal strength exceeds 0.64.
    package static func seasonalDifferences(_ x: [Double], period: Int) -> Int {
        guard period > 1, x.count >= 2 * period else { return 0 }
        guard let first = x.first, x.contains(where: { $0 != first }) else { return 0 }
        return seasonalStrength(x, period: period) > 0.64 ? 1 : 0
    }
}
