import RealModule

/// The ETS recursions: one-step forecasts, errors and state updates over a history (what
/// `etscalc` does in R's forecast package). The optimiser calls it thousands of times per model,
/// so it works in place on a caller's buffer and allocates nothing.
package enum ETSFilter {
    /// The result of running the recursions.
    package struct Run: Sendable {
        /// `n log(SSE)` (+ `2 sum log|yhat|` for a multiplicative error): minus twice the log
        /// likelihood up to a constant shared by every model fitted to the same data.
        package var likelihood: Double
        package var sumOfSquares: Double
    }

    /// Runs the model over `y`.
    /// - Parameters:
    ///   - y: the history, oldest first.
    ///   - spec: the model.
    ///   - parameters: smoothing parameters.
    ///   - level: initial level.
    ///   - slope: initial slope (ignored without trend).
    ///   - season: initial seasonal states, next period first; overwritten with the final ones.
    ///   - residuals: when given, receives each one-step error (relative for a multiplicative error).
    ///   - final: when given, receives the final level and slope.
    /// - Returns: the likelihood term, or an infinite one when a multiplicative model's forecast
    ///   reaches zero.
    @inline(__always)
    package static func run(
        _ y: UnsafeBufferPointer<Double>,
        spec: ETSSpecification,
        parameters: ETSParameters,
        level: Double,
        slope: Double,
        season: UnsafeMutableBufferPointer<Double>,
        residuals: UnsafeMutablePointer<Double>? = nil,
        final: ((Double, Double) -> Void)? = nil
    ) -> Run {
        let m = spec.period
        let alpha = parameters.alpha
        let beta = parameters.beta
        let gamma = parameters.gamma
        let phi = spec.trend == .damped ? parameters.phi : 1
        let hasTrend = spec.trend != .none
        let multiplicativeError = spec.error == .multiplicative
        var l = level
        var b = hasTrend ? slope : 0
        var sse = 0.0
        var logSum = 0.0
        var position = 0
        for t in 0..<y.count {
            let phib = hasTrend ? phi * b : 0
            let q = l + phib
            var f = q
            var s = 0.0
            switch spec.season {
            case .none: break
            case .additive:
                s = season[position]
                f = q + s
            case .multiplicative:
                s = season[position]
                f = q * s
            }
            let observed = y[t]
            let e: Double
            if multiplicativeError {
                guard f > 1e-10 else { return Run(likelihood: .infinity, sumOfSquares: .infinity) }
                e = (observed - f) / f
                logSum += Double.log(f)
            } else {
                e = observed - f
            }
            residuals?[t] = e
            sse += e * e
            // Level: a weighted step from the prediction towards the deseasonalised observation.
            let p: Double
            switch spec.season {
            case .none: p = observed
            case .additive: p = observed - s
            case .multiplicative:
                guard s > 1e-10 else { return Run(likelihood: .infinity, sumOfSquares: .infinity) }
                p = observed / s
            }
            let newLevel = q + alpha * (p - q)
            if hasTrend {
                b = phib + (beta / alpha) * (newLevel - l - phib)
            }
            switch spec.season {
            case .none: break
            case .additive: season[position] = s + gamma * (observed - q - s)
            case .multiplicative:
                guard q > 1e-10 else { return Run(likelihood: .infinity, sumOfSquares: .infinity) }
                season[position] = s + gamma * (observed / q - s)
            }
            l = newLevel
            position += 1
            if position == m { position = 0 }
        }
        final?(l, b)
        // Rotate the ring so season[0] is the next period again.
        if m > 1 && position != 0 {
            var copy = [Double](repeating: 0, count: m)
            for k in 0..<m { copy[k] = season[(position + k) % m] }
            for k in 0..<m { season[k] = copy[k] }
        }
        let n = Double(y.count)
        guard sse.isFinite, sse > 0 else {
            return Run(likelihood: sse == 0 ? -1e10 : .infinity, sumOfSquares: sse)
        }
        var likelihood = n * Double.log(sse)
        if multiplicativeError { likelihood += 2 * logSum }
        return Run(likelihood: likelihood.isNaN ? .infinity : likelihood, sumOfSquares: sse)
    }
}
