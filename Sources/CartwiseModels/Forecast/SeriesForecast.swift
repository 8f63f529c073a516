import RealModule

/// A series' forecast as the service caches it: the model, means and standard deviations per
/// period, and an in-sample backtest.
package struct SeriesForecast: Sendable {
    package let fitted: FittedModel
    /// Means per period; never below zero for a non-negative series (demand).
    package let mean: [Double]
    package let sd: [Double]
    /// Whether the history never went below zero (demand): intervals are then cut at zero.
    package let nonNegative: Bool
    /// Whether the history is whole non-negative units: its intervals and stock levels come
    /// from a count distribution (``CountDistribution``) rather than the normal.
    package let counts: Bool
    /// Whether the history was too short to fit a model of its own (``ShortHistoryModel``).
    package var insufficientHistory: Bool {
        if case .shortHistory = fitted { return true }
        return false
    }
    package var backtest: Backtest?
    /// For a model on the logarithm of demand: the log's mean and standard deviation per
    /// period. Intervals are then exp(log bounds) and the median exp(mean of the log).
    package var logScale: LogScale?

    package struct LogScale: Sendable {
        package var mean: [Double]
        package var sd: [Double]

        package init(mean: [Double], sd: [Double]) {
            self.mean = mean
            self.sd = sd
        }
    }

    package init(
        fitted: FittedModel,
        mean: [Double],
        sd: [Double],
        nonNegative: Bool,
        counts: Bool = false,
        backtest: Backtest?
    ) {
        self.fitted = fitted
        self.mean = nonNegative ? mean.map { max($0, 0) } : mean
        self.sd = sd
        self.nonNegative = nonNegative
        self.counts = counts && nonNegative
        self.backtest = backtest
    }

    package var model: String { fitted.name }

    /// The central interval at `level` percent of one period.
    ///
    /// Count series: the negative binomial's whole-unit quantiles, each bound at the probability
    /// the backtests say its tail needs, widened to hold the mean and to reach one unit (a slow
    /// mover's 80 % interval is [0, 1], not [0, 0] around a mean of 0.3).
    /// Other series: `mean -+ z sd` with z the normal quantile times the calibration's factor,
    /// cut at zero for non-negative series.
    /// - Parameters:
    ///   - step: 0 for the next period.
    ///   - level: e.g. 80 or 95.
    ///   - calibration: what the backtests of the series' frequency say about coverage.
    /// - Returns: the bounds; never narrower at a higher level.
    package func interval(
        step: Int,
        level: Double,
        calibration: IntervalCalibration = .none
    ) -> (
        lower: Double, upper: Double
    ) {
        if let logScale {
            let z = NormalDistribution.quantile(0.5 + level / 200) * calibration.factor(level: level)
            return (
                Double.exp(logScale.mean[step] - z * logScale.sd[step]),
                Double.exp(logScale.mean[step] + z * logScale.sd[step])
            )
        }
        if counts {
            let tail = (1 - level / 100) / 2
            let distribution = CountDistribution(mean: mean[step], variance: sd[step] * sd[step])
            let lower = distribution.quantile(calibration.countLowerProbability(tail: tail))
            let upper = distribution.quantile(calibration.countProbability(serviceLevel: 1 - tail))
            // At least one unit above: every count series has sold, and a bound of zero would
            // claim it never will again.
            return (min(lower, mean[step].rounded(.down)), max(upper, mean[step].rounded(.up), 1))
        }
        let z = NormalDistribution.quantile(0.5 + level / 200) * calibration.factor(level: level)
        let lower = mean[step] - z * sd[step]
        let upper = mean[step] + z * sd[step]
        return nonNegative ? (max(lower, 0), max(upper, 0)) : (lower, upper)
    }

    /// The median of a period's demand: the point forecast that minimises absolute error.
    package func median(step: Int) -> Double {
        if let logScale { return Double.exp(logScale.mean[step]) }
        if counts {
            return CountDistribution(mean: mean[step], variance: sd[step] * sd[step]).quantile(0.5)
        }
        return mean[step]
    }

    /// One bound of the central interval at `level` percent, uncalibrated.
    package func quantile(step: Int, level: Double, upper: Bool) -> Double {
        let bounds = interval(step: step, level: level)
        return upper ? bounds.upper : bounds.lower
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
package struct Backtest: Sendable {
    package var horizon: Int
    /// Mean absolute scaled error: scaled by ``Accuracy/scale(_:period:)``, which is never zero.
    package var mase: Double?
    /// Root mean squared scaled error (the M5 measure), on the squared version of that scale.
    package var rmsse: Double?
    /// Symmetric MAPE in percent (the M3/M4 definition, 0/0 counted as 0).
    package var smape: Double?
    /// Absolute errors over absolute actuals (nil when nothing was sold in the holdout).
    package var wape: Double?
    /// The pinball loss of the 80 % and 95 % intervals' bounds, scaled as MASE.
    package var pinball80: Double?
    package var pinball95: Double?
    /// Shares of held-out periods inside the model's own (uncalibrated) 80 % and 95 % intervals.
    package var coverage80: Double?
    package var coverage95: Double?
    /// |actual - mean| / sd per held-out period, for ``IntervalCalibration`` (normal series).
    package var standardizedErrors: [Double] = []
    /// P(X < y) and P(X <= y) under the forecast's count distribution, per held-out period,
    /// for ``IntervalCalibration`` (count series).
    package var countPositions: [(below: Double, atOrBelow: Double)] = []

    package init(horizon: Int, mase: Double?, smape: Double?) {
        self.horizon = horizon
        self.mase = mase
        self.smape = smape
    }
}
