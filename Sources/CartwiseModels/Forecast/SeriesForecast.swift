/// A series' forecast as the service caches it: the model, means and standard deviations per
/// period, and an in-sample backtest.
package struct SeriesForecast: Sendable {
    package let fitted: FittedModel
    package let mean: [Double]
    package let sd: [Double]
    /// Whether the history never went below zero (demand): intervals are then cut at zero.
    package let nonNegative: Bool
    package let backtest: Backtest?

    package init(
        fitted: FittedModel,
        mean: [Double],
        sd: [Double],
        nonNegative: Bool,
        backtest: Backtest?
    ) {
        self.fitted = fitted
        self.mean = mean
        self.sd = sd
        self.nonNegative = nonNegative
        self.backtest = backtest
    }

    package var model: String { fitted.name }

    /// One bound of the central interval at `level` percent (normal, as the ETS literature's
    /// intervals are).
    /// - Parameters:
    ///   - step: 0 for the next period.
    ///   - level: e.g. 80 or 95.
    ///   - upper: the upper bound, else the lower.
    /// - Returns: the bound.
    package func quantile(step: Int, level: Double, upper: Bool) -> Double {
        let bounds = interval(step: step, z: NormalDistribution.quantile(0.5 + level / 200))
        return upper ? bounds.upper : bounds.lower
    }

    /// `mean -+ z sd` of one period, cut at zero for non-negative series.
    /// - Parameters:
    ///   - step: 0 for the next period.
    ///   - z: standard deviations each side (a normal quantile, perhaps calibrated).
    /// - Returns: the bounds.
    package func interval(step: Int, z: Double) -> (lower: Double, upper: Double) {
        let lower = mean[step] - z * sd[step]
        let upper = mean[step] + z * sd[step]
        return nonNegative ? (max(lower, 0), max(upper, 0)) : (lower, upper)
    }

    /// Mean and standard deviation of demand summed over periods `start + 1 ... start + length`.
    package func window(start: Int, length: Int) -> (mean: Double, sd: Double) {
        windows(upTo: start + length).window(start: start, length: length)
    }

    /// Windows ending by period `end`, with the model's terms computed once: an inventory
    /// policy asks for one per review of its schedule (34 for three years of months).
    package func windows(upTo end: Int) -> Windows {
        Windows(mean: mean, terms: fitted.windowTerms(upTo: end))
    }

    package struct Windows: Sendable {
        let mean: [Double]
        let terms: FittedModel.WindowTerms

        /// See ``SeriesForecast/window(start:length:)``.
        package func window(start: Int, length: Int) -> (mean: Double, sd: Double) {
            var total = 0.0
            for step in start..<(start + length) { total += step < mean.count ? mean[step] : mean.last ?? 0 }
            return (total, terms.sumVariance(start: start, length: length).squareRoot())
        }
    }
}

/// Accuracy of a model refitted without the last `horizon` observations and scored on them.
package struct Backtest: Sendable, Equatable {
    package var horizon: Int
    /// Mean absolute scaled error: scaled by the in-sample seasonal naive MAE.
    package var mase: Double?
    /// Symmetric MAPE in percent (the M3/M4 definition).
    package var smape: Double?
    /// |actual - mean| / sd per held-out period, for ``IntervalCalibration``.
    package var standardizedErrors: [Double] = []

    package init(horizon: Int, mase: Double?, smape: Double?) {
        self.horizon = horizon
        self.mase = mase
        self.smape = smape
    }
}
