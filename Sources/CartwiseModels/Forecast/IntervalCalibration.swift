/// Widens (or narrows) a group of series' intervals so that they cover what their backtests
/// saw: split-conformal calibration on standardised errors.
///
/// ETS intervals are known to under-cover on real data (statsforecast's AutoETS covers 75 % and
/// 84 % of M3 monthly and yearly holdouts with its 80 % interval): they ignore the uncertainty
/// of the parameters and of the model choice. Each series' backtest gives standardised errors
/// |actual - mean| / sd of forecasts made without the last periods; pooled over a frequency's
/// series, their empirical quantile at a level, divided by the normal one, is the factor that
/// would have made those intervals exact. It only applies with enough evidence.
package struct IntervalCalibration: Sendable {
    /// Sorted standardised absolute errors.
    package let errors: [Double]
    package let series: Int

    /// - Parameters:
    ///   - errors: the pooled standardised absolute errors.
    ///   - series: how many series they came from.
    package init(errors: [Double], series: Int) {
        self.errors = errors.filter(\.isFinite).sorted()
        self.series = series
    }

    /// Whether there is enough evidence to use it (30 series and 200 errors).
    package var isUsable: Bool { series >= 30 && errors.count >= 200 }

    /// The factor for a central interval at `level` percent: 1 without enough evidence, else the
    /// ratio of the empirical to the normal quantile, between 0.5 and 3.
    /// - Parameter level: e.g. 80 or 95.
    /// - Returns: the factor to multiply the standard deviation by.
    package func factor(level: Double) -> Double {
        guard isUsable else { return 1 }
        let p = level / 100
        let z = NormalDistribution.quantile(0.5 + p / 2)
        // The smallest error with at least `p` of them at or below it (a conformal quantile).
        let rank = min(errors.count - 1, max(0, Int((p * Double(errors.count + 1)).rounded(.up)) - 1))
        let empirical = errors[rank]
        guard z > 0, empirical > 0 else { return 1 }
        return min(max(empirical / z, 0.5), 3)
    }
}
