/// Widens (or narrows) a group of series' intervals so that they cover what their backtests
/// saw: split-conformal calibration.
///
/// ETS intervals are known to under-cover on real data (statsforecast's AutoETS covers 75 % and
/// 84 % of M3 monthly and yearly holdouts with its 80 % interval): they ignore the uncertainty
/// of the parameters and of the model choice. Each series' backtest gives what its forecast made
/// without the last periods missed by; pooled over a frequency's series they say how wide an
/// interval had to be to cover a share of them. It only applies with enough evidence.
///
/// - Normal series: standardised errors |actual - mean| / sd. Their empirical quantile at a
///   level over the normal one is the factor on the standard deviation.
/// - Count series: where each held-out count fell in its forecast distribution, P(X < y) and
///   P(X <= y). A whole-unit quantile Q(p) is at or above y exactly when p > P(X < y), and
///   below it exactly when p <= P(X <= y); so the empirical quantile of P(X < y) at a tail
///   probability is the probability an upper bound (or a stock level) must be taken at to hold
///   that share of the counts, and that of P(X <= y) the one for a lower bound. Each bound is
///   calibrated on its own: demand is skewed, and its tails need different corrections.
///
/// Empirical quantiles are interpolated between order statistics, and a fiftieth of the asked
/// level is blended in, so the calibrated quantile rises strictly with the level: a higher
/// service level always asks for more stock.
package struct IntervalCalibration: Sendable {
    /// Sorted standardised absolute errors (normal series).
    package let errors: [Double]
    /// Sorted P(X < y) (count series), for upper bounds and stock levels.
    package let lowers: [Double]
    /// Sorted P(X <= y) (count series), for lower bounds.
    package let uppers: [Double]
    package let series: Int

    package static let none = IntervalCalibration(errors: [], series: 0)

    /// - Parameters:
    ///   - errors: the pooled standardised absolute errors.
    ///   - counts: the pooled (P(X < y), P(X <= y)) of count series.
    ///   - series: how many series they came from.
    package init(errors: [Double], counts: [(below: Double, atOrBelow: Double)] = [], series: Int) {
        self.errors = errors.filter(\.isFinite).sorted()
        self.lowers = counts.map(\.below).sorted()
        self.uppers = counts.map(\.atOrBelow).sorted()
        self.series = series
    }

    /// Whether there is enough evidence (30 series and 200 values) for normal series.
    package var isUsable: Bool { series >= 30 && errors.count >= 200 }
    /// The same for count series.
    package var isUsableForCounts: Bool { series >= 30 && lowers.count >= 200 }

    /// The conformal quantile at `p` of sorted values, interpolated between neighbours.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = min(max(p * Double(sorted.count + 1) - 1, 0), Double(sorted.count - 1))
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        let fraction = position - Double(low)
        return sorted[low] + fraction * (sorted[high] - sorted[low])
    }

    /// The factor for a normal series' central interval at `level` percent: 1 without enough
    /// evidence, else the empirical over the normal quantile, kept between 0.5 and 3.
    /// - Parameter level: e.g. 80 or 95.
    /// - Returns: the factor to multiply the standard deviation by.
    package func factor(level: Double) -> Double {
        guard isUsable else { return 1 }
        let p = level / 100
        let z = NormalDistribution.quantile(0.5 + p / 2)
        let empirical = Self.quantile(errors, p)
        guard z > 0, empirical > 0 else { return 1 }
        return min(max(empirical / z, 0.5), 3)
    }

    /// The z a normal series' one-sided `serviceLevel` is set at: the normal quantile times the
    /// factor of the central interval whose upper end it is.
    package func z(serviceLevel: Double) -> Double {
        NormalDistribution.quantile(serviceLevel) * factor(level: (2 * serviceLevel - 1) * 100)
    }

    /// The probability a count series' upper bound or stock level for `serviceLevel` (the
    /// share of periods it must hold) is taken at, kept between s / 2 + 0.25 and
    /// 1 - (1 - s) / 5.
    package func countProbability(serviceLevel s: Double) -> Double {
        guard isUsableForCounts else { return s }
        let needed = Self.quantile(lowers, s) + 1e-9
        return 0.98 * min(max(needed, s / 2 + 0.25), 1 - (1 - s) / 5) + 0.02 * s
    }

    /// The probability a count series' lower bound for tail `tau` (the share of periods that
    /// may fall below it) is taken at, kept between tau / 5 and tau / 2 + 0.25.
    package func countLowerProbability(tail tau: Double) -> Double {
        guard isUsableForCounts else { return tau }
        let needed = Self.quantile(uppers, tau)
        return 0.98 * min(max(needed, tau / 5), tau / 2 + 0.25) + 0.02 * tau
    }
}
