/// Seasonal ARIMA with automatic orders: the stepwise search of Hyndman and Khandakar (2008),
/// as R's `auto.arima(approximation = FALSE)` and statsforecast's `AutoARIMA` run it.
///
/// The differences come first (``UnitRootTests``: seasonal strength for D, then KPSS on the
/// seasonally differenced series for d); then, with d and D fixed, four starting models are
/// fitted and the search moves to any neighbour (one order up or down, p and q or P and Q
/// together, the constant toggled) with a smaller AICc, until none is smaller. Fits with a root
/// within 1.01 of the unit circle are refused, as R refuses them.
package enum AutoARIMA {
    package struct Limits: Sendable {
        package var maxP = 5
        package var maxQ = 5
        package var maxSeasonalP = 2
        package var maxSeasonalQ = 2
        package var maxD = 2
        package var maxSeasonalD = 1
        /// Models fitted at most (R's `nmodels`).
        package var maxModels = 94

        package init() {}
    }

    /// - Parameters:
    ///   - y: the history, oldest first.
    ///   - period: the season length (1 for none).
    ///   - regressors: columns as long as `y` (regression with ARIMA errors); empty for none.
    ///   - limits: the search's bounds.
    /// - Returns: the model with the smallest AICc, or nil when none fits.
    package static func fit(
        _ y: [Double],
        period: Int,
        regressors: [[Double]] = [],
        limits: Limits = Limits()
    ) -> ARIMAModel? {
        guard y.count >= 3 else { return nil }
        let m = period > 1 && y.count >= 2 * period ? period : 1
        // The differences are chosen on the regression's residuals when there are regressors.
        let base = regressors.isEmpty ? y : regressionResiduals(y, regressors)
        let seasonalD = m > 1 ? min(UnitRootTests.seasonalDifferences(base, period: m), limits.maxSeasonalD) : 0
        var seasonallyDifferenced = base
        if seasonalD > 0 {
            seasonallyDifferenced = (m..<base.count).map { base[$0] - base[$0 - m] }
        }
        let d = UnitRootTests.differences(seasonallyDifferenced, maximum: limits.maxD)
        let allowConstant = d + seasonalD <= 1
        let seasonal = m > 1
        var fitted: [ARIMASpecification: ARIMAModel?] = [:]
        var best: ARIMAModel?
        func consider(_ p: Int, _ q: Int, _ sp: Int, _ sq: Int, _ constant: Bool) -> Bool {
            guard p >= 0, q >= 0, sp >= 0, sq >= 0, p <= limits.maxP, q <= limits.maxQ,
                sp <= (seasonal ? limits.maxSeasonalP : 0), sq <= (seasonal ? limits.maxSeasonalQ : 0),
                !constant || allowConstant
            else { return false }
            let spec = ARIMASpecification(
                p: p,
                d: d,
                q: q,
                seasonalP: sp,
                seasonalD: seasonalD,
                seasonalQ: sq,
                period: m,
                constant: constant
            )
            if fitted[spec] != nil { return false }
            guard fitted.count < limits.maxModels else { return false }
            var model = ARIMAModel.fit(y, spec: spec, regressors: regressors)
            if let candidate = model, !candidate.isWellInside || !candidate.aicc.isFinite { model = nil }
            fitted[spec] = .some(model)
            guard let model else { return false }
            if best == nil || model.aicc < best!.aicc {
                best = model
                return true
            }
            return false
        }
        let startP = min(2, limits.maxP)
        let startQ = min(2, limits.maxQ)
        let startSP = seasonal ? min(1, limits.maxSeasonalP) : 0
        let startSQ = seasonal ? min(1, limits.maxSeasonalQ) : 0
        _ = consider(startP, startQ, startSP, startSQ, allowConstant)
        _ = consider(0, 0, 0, 0, allowConstant)
        _ = consider(min(1, limits.maxP), 0, startSP, 0, allowConstant)
        _ = consider(0, min(1, limits.maxQ), 0, startSQ, allowConstant)
        if allowConstant { _ = consider(0, 0, 0, 0, false) }
        var improved = true
        while improved, let current = best, fitted.count < limits.maxModels {
            improved = false
            let s = current.spec
            let (p, q, sp, sq, c) = (s.p, s.q, s.seasonalP, s.seasonalQ, s.constant)
            let moves: [(Int, Int, Int, Int, Bool)] = [
                (p, q, sp - 1, sq, c), (p, q, sp + 1, sq, c), (p, q, sp, sq - 1, c), (p, q, sp, sq + 1, c),
                (p, q, sp - 1, sq - 1, c), (p, q, sp - 1, sq + 1, c), (p, q, sp + 1, sq - 1, c),
                (p, q, sp + 1, sq + 1, c),
                (p - 1, q, sp, sq, c), (p + 1, q, sp, sq, c), (p, q - 1, sp, sq, c), (p, q + 1, sp, sq, c),
                (p - 1, q - 1, sp, sq, c), (p - 1, q + 1, sp, sq, c), (p + 1, q - 1, sp, sq, c),
                (p + 1, q + 1, sp, sq, c), (p, q, sp, sq, !c),
            ]
            for move in moves where consider(move.0, move.1, move.2, move.3, move.4) {
                improved = true
                break
            }
        }
        if best == nil {
            // Nothing fitted (too short for every start): the simplest model that does.
            for constant in [allowConstant, false] where best == nil {
                _ = consider(0, 0, 0, 0, constant)
            }
        }
        return best
    }

    /// Residuals of y on the regressors by ordinary least squares (with an intercept).
    static func regressionResiduals(_ y: [Double], _ regressors: [[Double]]) -> [Double] {
        CholeskySolve.residuals(y, on: [[Double](repeating: 1, count: y.count)] + regressors)
    }
}
