/// Forecasts for intermittent and lumpy demand, the Croston family and temporal aggregation:
///
/// - SBA: Croston (1972) smooths the size of non-zero demands and the interval between them
///   separately; Syntetos and Boylan (2005) multiply by `1 - alpha_interval / 2` to remove its
///   bias.
/// - TSB (Teunter, Syntetos and Babai 2011) smooths the probability of a demand in each period
///   instead of the interval, so the forecast decays towards zero while an item does not sell:
///   an item sold once two years ago is forecast near zero, not at its one sale's size.
/// - ADIDA (Nikolopoulos et al. 2011) sums the series into buckets as long as the mean
///   interval between demands, smooths the buckets and spreads the forecast back per period.
/// - IMAPA (Petropoulos and Kourentzes 2015) averages ADIDA over every bucket length from 1 to
///   the mean interval.
///
/// Every smoothing constant and initial level is fitted by least squares
/// (``SimpleSmoothing``), not fixed. ``fitBest(_:holdout:)`` chooses among the four by their
/// squared error on the last periods of the history.
///
/// The spread is the in-sample one-step errors' variance, the same in every period; a count
/// distribution around the mean (``CountDistribution``) turns it into intervals.
package struct IntermittentModel: Sendable {
    package enum Method: String, Sendable, CaseIterable {
        case sba = "SBA"
        case tsb = "TSB"
        case adida = "ADIDA"
        case imapa = "IMAPA"
    }

    package let method: Method
    /// The forecast per period.
    package let level: Double
    /// Variance of the one-step in-sample errors per period.
    package let variance: Double

    package init(method: Method, level: Double, variance: Double) {
        self.method = method
        self.level = level
        self.variance = variance
    }

    /// - Parameters:
    ///   - y: the history (non-negative).
    ///   - method: which method.
    /// - Returns: the model, or nil without any demand.
    package static func fit(_ y: [Double], method: Method) -> IntermittentModel? {
        guard y.contains(where: { $0 > 0 }) else { return nil }
        let fitted: [Double]
        let level: Double
        switch method {
        case .sba: (fitted, level) = croston(y)
        case .tsb: (fitted, level) = tsb(y)
        case .adida: (fitted, level) = aggregated(y, bucket: meanInterval(y))
        case .imapa:
            var sum = [Double](repeating: 0, count: y.count)
            var total = 0.0
            let longest = meanInterval(y)
            for bucket in 1...longest {
                let (f, l) = aggregated(y, bucket: bucket)
                for t in 0..<y.count { sum[t] += f[t] }
                total += l
            }
            fitted = sum.map { $0 / Double(longest) }
            level = total / Double(longest)
        }
        var sse = 0.0
        for t in 0..<y.count {
            let e = y[t] - fitted[t]
            sse += e * e
        }
        return IntermittentModel(method: method, level: max(level, 0), variance: sse / Double(y.count))
    }

    /// The method whose fit on all but the last `holdout` periods forecast them with the least
    /// squared error, refitted on the whole history.
    /// - Parameters:
    ///   - y: the history (non-negative).
    ///   - holdout: periods held out to choose (0: SBA, the usual default).
    /// - Returns: the model, or nil without any demand.
    package static func fitBest(_ y: [Double], holdout: Int) -> IntermittentModel? {
        guard holdout > 0, y.count > holdout, y.prefix(y.count - holdout).contains(where: { $0 > 0 }) else {
            return fit(y, method: .sba)
        }
        let train = Array(y.prefix(y.count - holdout))
        var best: (Method, Double)?
        for method in Method.allCases {
            guard let model = fit(train, method: method) else { continue }
            var sse = 0.0
            for value in y.suffix(holdout) { sse += (value - model.level) * (value - model.level) }
            if best == nil || sse < best!.1 - 1e-12 { best = (method, sse) }
        }
        return fit(y, method: best?.0 ?? .sba)
    }

    /// The mean interval between demands (ADI), rounded, at least 1.
    static func meanInterval(_ y: [Double]) -> Int {
        let demands = y.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        return max(1, Int((Double(y.count) / Double(max(demands, 1))).rounded()))
    }

    /// SBA: sizes and intervals smoothed separately; per-period in-sample forecasts and the
    /// final one.
    private static func croston(_ y: [Double]) -> ([Double], Double) {
        var sizes: [Double] = []
        var intervals: [Double] = []
        var since = 0.0
        for value in y {
            since += 1
            if value > 0 {
                sizes.append(value)
                intervals.append(since)
                since = 0
            }
        }
        let size = SimpleSmoothing.fit(sizes)
        let interval = SimpleSmoothing.fit(intervals)
        let correction = 1 - interval.alpha / 2
        var z = size.initialLevel
        var p = max(interval.initialLevel, 1)
        var fitted = [Double](repeating: 0, count: y.count)
        since = 0
        for t in 0..<y.count {
            fitted[t] = correction * z / p
            since += 1
            if y[t] > 0 {
                z += size.alpha * (y[t] - z)
                p = max(p + interval.alpha * (since - p), 1)
                since = 0
            }
        }
        return (fitted, correction * size.level / max(interval.level, 1))
    }

    /// TSB: the demand probability smoothed every period, sizes on demand.
    private static func tsb(_ y: [Double]) -> ([Double], Double) {
        let sizes = y.filter { $0 > 0 }
        let size = SimpleSmoothing.fit(sizes)
        let occurrence = SimpleSmoothing.fit(y.map { $0 > 0 ? 1 : 0 })
        var z = size.initialLevel
        var p = min(occurrence.initialLevel, 1)
        var fitted = [Double](repeating: 0, count: y.count)
        for t in 0..<y.count {
            fitted[t] = p * z
            p += occurrence.alpha * ((y[t] > 0 ? 1 : 0) - p)
            if y[t] > 0 { z += size.alpha * (y[t] - z) }
        }
        return (fitted, min(occurrence.level, 1) * size.level)
    }

    /// ADIDA at one bucket length: buckets end at the last period (a partial first bucket is
    /// left out of the fit); each bucket's one-step forecast, divided by its length, is the
    /// in-sample forecast of its periods.
    private static func aggregated(_ y: [Double], bucket: Int) -> ([Double], Double) {
        let count = y.count / bucket
        guard count >= 1 else {
            let mean = y.reduce(0, +) / Double(y.count)
            return ([Double](repeating: mean, count: y.count), mean)
        }
        let offset = y.count - count * bucket
        var sums = [Double](repeating: 0, count: count)
        for index in 0..<count {
            for t in 0..<bucket { sums[index] += y[offset + index * bucket + t] }
        }
        let smoothing = SimpleSmoothing.fit(sums)
        var fitted = [Double](repeating: smoothing.initialLevel / Double(bucket), count: y.count)
        var level = smoothing.initialLevel
        for index in 0..<count {
            for t in 0..<bucket { fitted[offset + index * bucket + t] = level / Double(bucket) }
            level += smoothing.alpha * (sums[index] - level)
        }
        return (fitted, smoothing.level / Double(bucket))
    }
}
