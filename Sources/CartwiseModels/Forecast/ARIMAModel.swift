import RealModule

/// A seasonal ARIMA model fitted by exact maximum likelihood, optionally as a regression with
/// ARIMA errors: y_t = x_t' beta + eta_t, with eta_t ARIMA (R's `arima(x, xreg=)`).
///
/// The series and the regressors are differenced by (1 - B)^d (1 - B^m)^D and the differenced
/// errors are a stationary ARMA process, whose likelihood ``ARMALikelihood`` computes exactly.
/// Starting values come from conditional sums of squares (R's `CSS-ML`). AR coefficients are
/// searched through ``LagPolynomial/stationary(_:)``, so every trial is stationary.
package struct ARIMAModel: Sendable {
    package let spec: ARIMASpecification
    /// Non-seasonal and seasonal AR and MA coefficients.
    package let ar: [Double]
    package let ma: [Double]
    package let seasonalAR: [Double]
    package let seasonalMA: [Double]
    /// The constant (mean or drift) first when the specification has one, then one coefficient
    /// per regressor.
    package let beta: [Double]
    package let sigma2: Double
    package let deviance: Double
    package let aicc: Double
    /// Observations the likelihood was computed on (after differencing).
    package let observations: Int
    package let regressorCount: Int
    /// The full polynomials.
    let phi: [Double]
    let theta: [Double]
    /// The last `spec.differencedAway` values of the series and of each regressor, to undo the
    /// differencing of forecasts.
    let tail: [Double]
    let regressorTails: [[Double]]
    let state: [Double]

    /// - Parameters:
    ///   - y: the history, oldest first.
    ///   - spec: the orders.
    ///   - regressors: columns of regressors, each as long as `y` (empty for none).
    /// - Returns: nil when the history is too short for the model or the fit failed.
    package static func fit(_ y: [Double], spec: ARIMASpecification, regressors: [[Double]] = []) -> ARIMAModel? {
        let delta = spec.differencing
        let lost = spec.differencedAway
        let w = difference(y, delta)
        let n = w.count
        var columns: [[Double]] = []
        if spec.constant { columns.append([Double](repeating: 1, count: n)) }
        for column in regressors {
            guard column.count == y.count else { return nil }
            columns.append(difference(column, delta))
        }
        let parameters = spec.armaCount + columns.count
        guard n - parameters - 2 > 0, n >= 3 else { return nil }
        // A regressor that differencing made constant (or zero) cannot be estimated.
        for column in columns.dropFirst(spec.constant ? 1 : 0) {
            guard let first = column.first, column.contains(where: { $0 != first }) else { return nil }
        }
        let likelihood = ARMALikelihood(w: w, columns: columns)
        func split(_ raw: [Double]) -> (ar: [Double], ma: [Double], sar: [Double], sma: [Double]) {
            var index = 0
            func take(_ count: Int) -> [Double] {
                defer { index += count }
                return Array(raw[index..<(index + count)])
            }
            let a = LagPolynomial.stationary(take(spec.p))
            // MA coefficients are searched as they are, as R does: the likelihood is defined
            // for any, and a fit left with a root near the unit circle is refused afterwards.
            let m = take(spec.q)
            let sa = LagPolynomial.stationary(take(spec.seasonalP))
            let sm = take(spec.seasonalQ)
            return (a, m, sa, sm)
        }
        func polynomials(_ raw: [Double]) -> (phi: [Double], theta: [Double]) {
            let parts = split(raw)
            return (
                LagPolynomial.expandAR(parts.ar, seasonal: parts.sar, period: spec.period),
                LagPolynomial.expandMA(parts.ma, seasonal: parts.sma, period: spec.period)
            )
        }
        let start = conditionalStart(w: w, columns: columns, spec: spec, polynomials: polynomials)
        var raw = start
        if spec.armaCount > 0 {
            let objective: ([Double]) -> Double = { raw in
                let (phi, theta) = polynomials(raw)
                guard let evaluation = likelihood.evaluate(phi: phi, theta: theta) else { return .infinity }
                return evaluation.deviance / (2 * Double(n))
            }
            raw = QuasiNewton().minimize(start: start, objective: objective).point
        }
        let (phi, theta) = polynomials(raw)
        guard let evaluation = likelihood.evaluate(phi: phi, theta: theta) else { return nil }
        let parts = split(raw)
        let k = Double(parameters + 1)
        let aicc = evaluation.deviance + 2 * k + 2 * k * (k + 1) / Double(n - parameters - 2)
        return ARIMAModel(
            spec: spec,
            ar: parts.ar,
            ma: parts.ma,
            seasonalAR: parts.sar,
            seasonalMA: parts.sma,
            beta: evaluation.beta,
            sigma2: evaluation.sigma2,
            deviance: evaluation.deviance,
            aicc: aicc,
            observations: n,
            regressorCount: regressors.count,
            phi: phi,
            theta: theta,
            tail: Array(y.suffix(lost)),
            regressorTails: regressors.map { Array($0.suffix(lost)) },
            state: evaluation.state
        )
    }

    /// Conditional least squares for the ARMA part (the first observations taken as given and
    /// earlier errors as zero) on the ordinary least squares residuals of the regression: cheap,
    /// and close enough to the maximum that the exact likelihood needs only a few steps.
    private static func conditionalStart(
        w: [Double],
        columns: [[Double]],
        spec: ARIMASpecification,
        polynomials: ([Double]) -> (phi: [Double], theta: [Double])
    ) -> [Double] {
        let count = spec.armaCount
        guard count > 0 else { return [] }
        let residual = CholeskySolve.residuals(w, on: columns)
        let n = residual.count
        let objective: ([Double]) -> Double = { raw in
            let (phi, theta) = polynomials(raw)
            let skip = phi.count
            guard n - skip > 2 else { return .infinity }
            var errors = [Double](repeating: 0, count: n)
            var sse = 0.0
            for t in skip..<n {
                var e = residual[t]
                for (i, c) in phi.enumerated() { e -= c * residual[t - i - 1] }
                for (j, c) in theta.enumerated() where t - j - 1 >= 0 { e -= c * errors[t - j - 1] }
                errors[t] = e
                sse += e * e
            }
            return 0.5 * Double.log(sse / Double(n - skip))
        }
        var optimizer = QuasiNewton()
        optimizer.maxIterations = 50
        let found = optimizer.minimize(start: [Double](repeating: 0, count: count), objective: objective)
        return found.value.isFinite ? found.point : [Double](repeating: 0, count: count)
    }

    /// y_t - sum delta_i y_{t-i} for every t with a full set of lags.
    static func difference(_ y: [Double], _ delta: [Double]) -> [Double] {
        let lost = delta.count - 1
        guard y.count > lost else { return [] }
        var w = [Double](repeating: 0, count: y.count - lost)
        for t in lost..<y.count {
            var value = y[t]
            for i in 1..<delta.count where delta[i] != 0 { value -= delta[i] * y[t - i] }
            w[t - lost] = value
        }
        return w
    }

    /// Whether no AR or MA root lies within 1.01 of the unit circle (R's `auto.arima` refuses
    /// such fits: the likelihood's maximum sits on the boundary and forecasts are unstable).
    package var isWellInside: Bool {
        LagPolynomial.rootsOutside(phi) && LagPolynomial.rootsOutside(theta.map { -$0 })
    }

    /// Means and variances of periods 1 ... horizon ahead.
    /// - Parameters:
    ///   - horizon: periods ahead.
    ///   - future: each regressor's planned values over the horizon (as many columns as the
    ///     model was fitted with, each at least `horizon` long).
    /// - Returns: means and variances per period.
    package func forecast(horizon: Int, future: [[Double]] = []) -> (mean: [Double], variance: [Double]) {
        let delta = spec.differencing
        // The error's ARMA part from the final state: a_{n+h} = T^{h-1} a_{n+1}.
        var state = self.state
        let r = state.count
        var error = [Double](repeating: 0, count: horizon)
        for h in 0..<horizon {
            error[h] = state[0]
            let head = state[0]
            for i in 0..<r { state[i] = (i < phi.count ? phi[i] : 0) * head + (i + 1 < r ? state[i + 1] : 0) }
        }
        let constant = spec.constant ? beta[0] : 0
        let slopes = Array(beta.dropFirst(spec.constant ? 1 : 0))
        var differencedRegression = [Double](repeating: 0, count: horizon)
        for (j, slope) in slopes.enumerated() {
            let planned = j < future.count ? future[j] : []
            let column =
                regressorTails[j] + (0..<horizon).map { h in h < planned.count ? planned[h] : planned.last ?? 0 }
            let differenced = Self.difference(column, delta)
            for h in 0..<horizon { differencedRegression[h] += slope * differenced[h] }
        }
        var levels = tail
        var mean = [Double](repeating: 0, count: horizon)
        for h in 0..<horizon {
            var value = error[h] + constant + differencedRegression[h]
            for i in 1..<delta.count where delta[i] != 0 { value += delta[i] * levels[levels.count - i] }
            levels.append(value)
            mean[h] = value
        }
        let psi = psiWeights(horizon)
        var variance = [Double](repeating: 0, count: horizon)
        var running = 0.0
        for h in 0..<horizon {
            running += psi[h] * psi[h]
            variance[h] = sigma2 * running
        }
        return (mean, variance)
    }

    /// The weights of y's forecast errors on the future innovations: the expansion of
    /// theta(B) / (phi(B) delta(B)).
    package func psiWeights(_ count: Int) -> [Double] {
        let delta = spec.differencing
        let arPolynomial = LagPolynomial.multiply([1] + phi.map { -$0 }, [1] + delta.dropFirst().map { -$0 })
        let star = arPolynomial.dropFirst().map { -$0 }
        var psi = [Double](repeating: 0, count: max(count, 1))
        psi[0] = 1
        for j in stride(from: 1, to: count, by: 1) {
            var value = j - 1 < theta.count ? theta[j - 1] : 0
            if !star.isEmpty {
                for i in 1...min(j, star.count) { value += star[i - 1] * psi[j - i] }
            }
            psi[j] = value
        }
        return psi
    }

    /// Variance of the sum of periods `start + 1 ... start + length` ahead: innovation i moves
    /// every later period of the window by its psi weight.
    /// - Parameters:
    ///   - start: periods before the window.
    ///   - length: the window's periods.
    ///   - scales: multiplies each period's error (the delta method for a model on logarithms:
    ///     the period's mean); nil for none.
    /// - Returns: the variance.
    package func sumVariance(start: Int, length: Int, scales: [Double]? = nil) -> Double {
        let end = start + length
        guard end >= 1, length >= 1 else { return 0 }
        let psi = psiWeights(end)
        var total = 0.0
        for i in 1...end {
            // Periods max(i, start + 1) ... end carry weights psi[k - i].
            var weight = 0.0
            for k in max(i, start + 1)...end {
                let scale = scales.map { k - 1 < $0.count ? $0[k - 1] : $0.last ?? 1 } ?? 1
                weight += psi[k - i] * scale
            }
            total += weight * weight
        }
        return sigma2 * total
    }
}
