import RealModule

/// A fitted ETS model: parameters estimated by maximum likelihood (Nelder-Mead over smoothing
/// parameters and initial states, as R's `forecast::ets` and statsforecast do), the final state,
/// and the information criteria AutoETS compares.
package struct ETSModel: Sendable {
    package let spec: ETSSpecification
    package let parameters: ETSParameters
    /// The state after the last observation.
    package let state: ETSState
    /// Variance of the one-step errors (relative errors for a multiplicative error).
    package let sigma2: Double
    package let logLikelihoodTerm: Double
    package let aicc: Double
    package let observations: Int
    /// The bounds it was fitted under; a backtest refits under the same.
    package let caps: ETSInitialization.Caps

    /// Fits `spec` to `y`.
    /// - Parameters:
    ///   - y: the history, oldest first; positive when the model has a multiplicative component.
    ///   - spec: the model.
    ///   - optimizer: the Nelder-Mead settings.
    ///   - caps: upper bounds on beta and gamma.
    /// - Returns: the fitted model, or nil when no admissible parameters give a finite likelihood.
    package static func fit(
        _ y: [Double],
        spec: ETSSpecification,
        optimizer: NelderMead = NelderMead(),
        caps: ETSInitialization.Caps = .box
    ) -> ETSModel? {
        let n = y.count
        let m = spec.period
        let start = ETSInitialization.state(y, spec: spec)
        let initial = ETSInitialization.parameters(spec: spec, caps: caps)
        let hasTrend = spec.trend != .none
        let hasSeason = spec.season != .none
        let damped = spec.trend == .damped
        let multiplicativeSeason = spec.season == .multiplicative
        let bounds = (ETSInitialization.lower, ETSInitialization.upper)

        var x: [Double] = [initial.alpha]
        var lower: [Double] = [bounds.0.alpha]
        var upper: [Double] = [bounds.1.alpha]
        if hasTrend {
            x.append(initial.beta)
            lower.append(bounds.0.beta)
            upper.append(caps.beta)
        }
        if hasSeason {
            x.append(initial.gamma)
            lower.append(bounds.0.gamma)
            upper.append(caps.gamma)
        }
        if damped {
            x.append(initial.phi)
            lower.append(bounds.0.phi)
            upper.append(bounds.1.phi)
        }
        let stateOffset = x.count
        x.append(start.level)
        if hasTrend { x.append(start.slope) }
        if hasSeason { x += start.season[1..<m] }
        while lower.count < x.count {
            lower.append(-.infinity)
            upper.append(.infinity)
        }

        func decode(_ x: [Double]) -> (ETSParameters, Double, Double) {
            var index = 1
            var p = ETSParameters(alpha: x[0])
            if hasTrend {
                p.beta = x[index]
                index += 1
            }
            if hasSeason {
                p.gamma = x[index]
                index += 1
            }
            if damped { p.phi = x[index] }
            let level = x[stateOffset]
            let slope = hasTrend ? x[stateOffset + 1] : 0
            return (p, level, slope)
        }
        let seasonOffset = stateOffset + (hasTrend ? 2 : 1)
        var season = [Double](repeating: 0, count: m)
        let fitted: (point: [Double], value: Double) = y.withUnsafeBufferPointer { history in
            let objective: ([Double]) -> Double = { x in
                let (p, level, slope) = decode(x)
                guard ETSInitialization.isValid(p, spec: spec, caps: caps) else { return .infinity }
                if hasSeason {
                    var rest = 0.0
                    for k in 1..<m {
                        season[k] = x[seasonOffset + k - 1]
                        rest += season[k]
                    }
                    season[0] = multiplicativeSeason ? Double(m) - rest : -rest
                    if multiplicativeSeason {
                        for k in 0..<m where season[k] <= 0 { return .infinity }
                    }
                }
                return season.withUnsafeMutableBufferPointer { buffer in
                    ETSFilter.run(
                        history,
                        spec: spec,
                        parameters: p,
                        level: level,
                        slope: slope,
                        season: buffer
                    )
                    .likelihood
                }
            }
            var best = optimizer.minimize(start: x, lower: lower, upper: upper, objective: objective)
            // Nelder-Mead's simplex can collapse early in 10-20 dimensions; a fresh simplex
            // around the optimum found often moves it further.
            for _ in 0..<optimizer.restarts where best.value < 1e300 {
                let again = optimizer.minimize(start: best.point, lower: lower, upper: upper, objective: objective)
                if again.value >= best.value - 1e-9 * abs(best.value) {
                    if again.value < best.value { best = again }
                    break
                }
                best = again
            }
            return best
        }
        guard fitted.value.isFinite, fitted.value < 1e300 else { return nil }
        let (p, level, slope) = decode(fitted.point)
        if hasSeason {
            for k in 1..<m { season[k] = fitted.point[seasonOffset + k - 1] }
            ETSInitialization.normalise(&season, multiplicative: multiplicativeSeason)
        }
        var finalLevel = level
        var finalSlope = slope
        let run = y.withUnsafeBufferPointer { history in
            season.withUnsafeMutableBufferPointer { buffer in
                ETSFilter.run(
                    history,
                    spec: spec,
                    parameters: p,
                    level: level,
                    slope: slope,
                    season: buffer
                ) { l, b in
                    finalLevel = l
                    finalSlope = b
                }
            }
        }
        guard run.likelihood.isFinite else { return nil }
        let np = Double(spec.parameterCount + 1)
        let count = Double(n)
        let aic = run.likelihood + 2 * np
        let aicc = count - np - 1 > 0 ? aic + 2 * np * (np + 1) / (count - np - 1) : .infinity
        return ETSModel(
            spec: spec,
            parameters: p,
            state: ETSState(level: finalLevel, slope: hasTrend ? finalSlope : 0, season: hasSeason ? season : []),
            sigma2: run.sumOfSquares / max(count - np, 1),
            logLikelihoodTerm: run.likelihood,
            aicc: aicc,
            observations: n,
            caps: caps
        )
    }

    private init(
        spec: ETSSpecification,
        parameters: ETSParameters,
        state: ETSState,
        sigma2: Double,
        logLikelihoodTerm: Double,
        aicc: Double,
        observations: Int,
        caps: ETSInitialization.Caps
    ) {
        self.spec = spec
        self.parameters = parameters
        self.state = state
        self.sigma2 = sigma2
        self.logLikelihoodTerm = logLikelihoodTerm
        self.aicc = aicc
        self.observations = observations
        self.caps = caps
    }

    /// The point forecasts: the recursions run forward with zero errors.
    /// - Parameter horizon: how many periods ahead.
    /// - Returns: one mean per period.
    package func pointForecast(horizon: Int) -> [Double] {
        var result = [Double](repeating: 0, count: horizon)
        let phi = spec.trend == .damped ? parameters.phi : 1
        var damping = 0.0
        var power = 1.0
        for j in 0..<horizon {
            power *= phi
            damping += power
            var f = state.level
            if spec.trend != .none { f += damping * state.slope }
            switch spec.season {
            case .none: break
            case .additive: f += state.season[j % spec.period]
            case .multiplicative: f *= state.season[j % spec.period]
            }
            result[j] = f
        }
        return result
    }

    /// The weights `c_j` with which an error j periods back moves today's forecast in the linear
    /// part of the model (Hyndman et al. 2008, table 6.2): `alpha + beta (phi + ... + phi^j) +
    /// gamma [j divisible by m]`.
    package func errorWeights(count: Int) -> [Double] {
        var c = [Double](repeating: 0, count: count)
        let phi = spec.trend == .damped ? parameters.phi : 1
        var damping = 0.0
        var power = 1.0
        for j in 1..<max(count, 1) {
            power *= phi
            damping += power
            var value = parameters.alpha
            if spec.trend != .none { value += parameters.beta * damping }
            if spec.season != .none && j % spec.period == 0 { value += parameters.gamma }
            c[j] = value
        }
        if count > 0 { c[0] = 1 }
        return c
    }

    /// Forecast variances per period: closed forms for classes 1 and 2 (Hyndman et al. 2008,
    /// chapter 6), simulation for class 3 (as R's `forecast` does for those models).
    /// - Parameters:
    ///   - horizon: how many periods ahead.
    ///   - seed: the simulation's seed (class 3 only), so the same model gives the same answer.
    /// - Returns: one variance per period.
    package func variances(horizon: Int, seed: UInt64 = 1) -> [Double] {
        guard horizon > 0 else { return [] }
        let c = errorWeights(count: horizon)
        switch spec.varianceClass {
        case 1:
            var result = [Double](repeating: sigma2, count: horizon)
            var cumulative = 0.0
            for j in 1..<horizon {
                cumulative += c[j] * c[j]
                result[j] = sigma2 * (1 + cumulative)
            }
            return result
        case 2:
            let mu = pointForecast(horizon: horizon)
            var theta = [Double](repeating: 0, count: horizon)
            var result = [Double](repeating: 0, count: horizon)
            for h in 0..<horizon {
                var value = mu[h] * mu[h]
                for j in stride(from: 1, through: h, by: 1) { value += sigma2 * c[j] * c[j] * theta[h - j] }
                theta[h] = value
                result[h] = max((1 + sigma2) * theta[h] - mu[h] * mu[h], 0)
            }
            return result
        default:
            let paths = simulate(horizon: horizon, paths: 2_000, seed: seed)
            return (0..<horizon).map { j in
                var mean = 0.0
                for path in paths { mean += path[j] }
                mean /= Double(paths.count)
                var sum = 0.0
                for path in paths { sum += (path[j] - mean) * (path[j] - mean) }
                return sum / Double(paths.count - 1)
            }
        }
    }

    /// Variance of the demand summed over periods `start + 1 ... start + length` ahead, with the
    /// correlation between periods that a shared state creates: each one-step error moves every
    /// later period by its weight `c_k` (exact for class 1). Multiplicative errors scale with
    /// the level: to first order (the delta method) an error in period i is `mu_i e_i` and moves
    /// period j by `c_{j-i} mu_i` (class 2), or by `c_{j-i} mu_j` when the season multiplies
    /// too (class 3). Closed form, so an inventory policy never waits for a simulation.
    /// - Parameters:
    ///   - start: periods skipped (0 = from the next period).
    ///   - length: periods summed.
    /// - Returns: the variance of the sum.
    package func sumVariance(start: Int, length: Int) -> Double {
        windowTerms(upTo: start + length).sumVariance(start: start, length: length)
    }

    /// The point forecasts and error weights up to `end` periods ahead, computed once for the
    /// many windows of an inventory policy (one per review in its schedule).
    package func windowTerms(upTo end: Int) -> WindowTerms {
        WindowTerms(
            weights: errorWeights(count: end),
            means: pointForecast(horizon: end),
            varianceClass: spec.varianceClass,
            sigma2: sigma2
        )
    }

    /// See ``ETSModel/sumVariance(start:length:)``; windows must end by the terms' `end`.
    package struct WindowTerms: Sendable {
        let weights: [Double]
        let means: [Double]
        let varianceClass: Int
        let sigma2: Double
        /// `cumulative[k]` = weights[0] + ... + weights[k - 1]: with it, a shock's total weight
        /// over a window is one subtraction (classes 1 and 2), not a loop over the window.
        let cumulative: [Double]

        init(weights: [Double], means: [Double], varianceClass: Int, sigma2: Double) {
            self.weights = weights
            self.means = means
            self.varianceClass = varianceClass
            self.sigma2 = sigma2
            var cumulative = [Double](repeating: 0, count: weights.count + 1)
            for (index, weight) in weights.enumerated() { cumulative[index + 1] = cumulative[index] + weight }
            self.cumulative = cumulative
        }

        /// The point forecasts of the window summed.
        package func sum(start: Int, length: Int) -> Double {
            var total = 0.0
            for period in start..<(start + length) { total += means[period] }
            return total
        }

        package func sumVariance(start: Int, length: Int) -> Double {
            let end = start + length
            guard length > 0 else { return 0 }
            var total = 0.0
            switch varianceClass {
            case 1, 2:
                // A shock in period i moves periods max(start, i) ..< end by weights[j - i].
                for shock in 0..<end {
                    var weight = cumulative[end - shock] - cumulative[max(start, shock) - shock]
                    if varianceClass == 2 { weight *= means[shock] }
                    total += weight * weight
                }
            default:
                for shock in 0..<end {
                    var weight = 0.0
                    for period in max(start, shock)..<end { weight += weights[period - shock] * means[period] }
                    total += weight * weight
                }
            }
            return sigma2 * total
        }
    }

    /// Future paths with Gaussian errors of variance `sigma2`, run through the model's own
    /// recursions.
    package func simulate(horizon: Int, paths: Int, seed: UInt64) -> [[Double]] {
        var random = SeededRandom(seed: seed)
        let sigma = sigma2.squareRoot()
        let m = spec.period
        var result: [[Double]] = []
        result.reserveCapacity(paths)
        var path = [Double](repeating: 0, count: horizon)
        var season = state.season.isEmpty ? [0.0] : state.season
        for _ in 0..<paths {
            for k in 0..<state.season.count { season[k] = state.season[k] }
            var level = state.level
            var slope = state.slope
            var position = 0
            var ok = true
            for j in 0..<horizon {
                let phi = spec.trend == .damped ? parameters.phi : 1
                let phib = spec.trend == .none ? 0 : phi * slope
                let q = level + phib
                var s = 0.0
                var f = q
                switch spec.season {
                case .none: break
                case .additive:
                    s = season[position]
                    f = q + s
                case .multiplicative:
                    s = season[position]
                    f = q * s
                }
                let e = sigma * random.normal()
                let y = spec.error == .additive ? f + e : f * (1 + e)
                path[j] = y
                let p: Double
                switch spec.season {
                case .none: p = y
                case .additive: p = y - s
                case .multiplicative: p = s > 1e-10 ? y / s : y
                }
                let newLevel = q + parameters.alpha * (p - q)
                if spec.trend != .none {
                    slope = phib + (parameters.beta / parameters.alpha) * (newLevel - level - phib)
                }
                switch spec.season {
                case .none: break
                case .additive: season[position] = s + parameters.gamma * (y - q - s)
                case .multiplicative:
                    if abs(q) > 1e-10 { season[position] = s + parameters.gamma * (y / q - s) } else { ok = false }
                }
                level = newLevel
                position += 1
                if position == m { position = 0 }
            }
            if ok { result.append(path) }
        }
        return result
    }
}
