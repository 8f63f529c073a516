/// A weighted mean of the AutoETS combination's and AutoARIMA's forecasts.
///
/// The two families make different errors (ETS extrapolates smoothed components, ARIMA the
/// autocorrelation of differences), and their combination forecasts better than either alone
/// (Hyndman's "comb" benchmarks). The weight, 0.8 on ETS, was chosen on a backtest of the M3
/// monthly training data alone (its last 18 months held out, `scripts/backtest-split.py`):
/// sMAPE 14.27 for ETS alone, 16.07 for ARIMA alone, 14.28 at 0.5, 14.01 at 0.8 (docs/forecast.md).
/// The spread is the mixture's: each model's variance plus the spread of their means.
package struct ModelBlend: Sendable {
    package let ets: ETSCombination
    package let arima: ARIMAModel
    /// The ETS combination's share; ARIMA has the rest.
    package let etsWeight: Double
    package static let defaultETSWeight = 0.8

    package init(ets: ETSCombination, arima: ARIMAModel, etsWeight: Double = ModelBlend.defaultETSWeight) {
        self.ets = ets
        self.arima = arima
        self.etsWeight = etsWeight
    }

    package func forecast(horizon: Int, seed: UInt64) -> (mean: [Double], variance: [Double]) {
        let first = ets.forecast(horizon: horizon, seed: seed)
        let second = arima.forecast(horizon: horizon)
        return Self.mix(first, second, weight: etsWeight)
    }

    static func mix(
        _ a: (mean: [Double], variance: [Double]),
        _ b: (mean: [Double], variance: [Double]),
        weight w: Double
    ) -> (mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: a.mean.count)
        var variance = mean
        for h in mean.indices {
            let gap = a.mean[h] - b.mean[h]
            mean[h] = w * a.mean[h] + (1 - w) * b.mean[h]
            variance[h] = w * a.variance[h] + (1 - w) * b.variance[h] + w * (1 - w) * gap * gap
        }
        return (mean, variance)
    }

    package func windowTerms(upTo end: Int) -> WindowTerms {
        WindowTerms(
            ets: ets.windowTerms(upTo: end),
            arima: arima,
            arimaMean: arima.forecast(horizon: end).mean,
            weight: etsWeight
        )
    }

    package struct WindowTerms: Sendable {
        let ets: ETSCombination.WindowTerms
        let arima: ARIMAModel
        let arimaMean: [Double]
        let weight: Double

        package func sumVariance(start: Int, length: Int) -> Double {
            let first = ets.sum(start: start, length: length)
            var second = 0.0
            for step in start..<(start + length) where step < arimaMean.count { second += arimaMean[step] }
            let gap = first - second
            return weight * ets.sumVariance(start: start, length: length)
                + (1 - weight) * arima.sumVariance(start: start, length: length)
                + weight * (1 - weight) * gap * gap
        }
    }
}
