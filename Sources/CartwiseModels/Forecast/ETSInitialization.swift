import RealModule

/// Starting values for the ETS optimiser, as R's `forecast::ets` chooses them (`initstate`,
/// `initparam`), and the admissibility test of its parameter space. Starting where R starts keeps
/// the local optimum Nelder-Mead finds close to the reference implementations'.
package enum ETSInitialization {
    /// Box bounds of the smoothing parameters (R's "usual" region): alpha, beta, gamma, phi.
    package static let lower = (alpha: 1e-4, beta: 1e-4, gamma: 1e-4, phi: 0.8)
    package static let upper = (alpha: 0.9999, beta: 0.9999, gamma: 0.9999, phi: 0.98)

    /// Upper bounds on beta and gamma for one candidate, below the box's.
    package struct Caps: Sendable, Hashable {
        package var beta: Double
        package var gamma: Double

        /// R's bounds: only the box (and `beta < alpha`, `gamma < 1 - alpha` in ``isValid``).
        package static let box = Caps(beta: upper.beta, gamma: upper.gamma)
    }

    /// Where R and statsforecast start alpha: a fifth of its range, divided by the season length.
    static func startingAlpha(_ spec: ETSSpecification) -> Double {
        let alpha = lower.alpha + 0.2 * (upper.alpha - lower.alpha) / Double(spec.period)
        return alpha > 1 || alpha < 0 ? lower.alpha + 2e-3 : alpha
    }

    /// statsforecast's caps. Its `initparam` lowers the upper bound of beta to the candidate's
    /// starting alpha (and that of gamma to 1 - starting alpha) in the bounds array that
    /// `auto_ets` shares across the candidates it visits, so each cap is the lowest any candidate
    /// visited so far has set: beta ≤ 0.2 on yearly data, and on monthly data beta ≤ 0.0168 from
    /// the first seasonal model with a trend on. R's `initparam` lowers only a local copy.
    /// statsforecast visits (and caps) a candidate before checking the history can estimate it,
    /// so every candidate counts, estimable or not.
    /// - Parameters:
    ///   - period: the season length (1 for none).
    ///   - positive: whether every observation is above zero.
    ///   - count: the number of observations.
    /// - Returns: each candidate's caps.
    package static func carriedCaps(period: Int, positive: Bool, count: Int) -> [ETSSpecification: Caps] {
        let candidates = ETSSpecification.candidates(
            period: period,
            positive: positive,
            count: count,
            estimableOnly: false
        )
        // statsforecast's loop: error, then trend (none, additive), then season, then damped
        // before undamped.
        func order(_ spec: ETSSpecification) -> [Int] {
            [
                spec.error == .additive ? 0 : 1, spec.trend == .none ? 0 : 1,
                spec.season == .none ? 0 : spec.season == .additive ? 1 : 2, spec.trend == .additive ? 1 : 0,
            ]
        }
        var caps = Caps.box
        var result: [ETSSpecification: Caps] = [:]
        for spec in candidates.sorted(by: { order($0).lexicographicallyPrecedes(order($1)) }) {
            let alpha = startingAlpha(spec)
            if spec.trend != .none { caps.beta = min(caps.beta, alpha) }
            if spec.season != .none { caps.gamma = min(caps.gamma, 1 - alpha) }
            result[spec] = caps
        }
        return result
    }

    /// Initial level, slope and seasonal states (next period first) from the start of the history:
    /// a classical decomposition of the first three seasons (a one-harmonic regression when
    /// fewer exist), then a line through the first `max(10, 2m)` seasonally adjusted values.
    /// - Parameters:
    ///   - y: the history.
    ///   - spec: the model.
    /// - Returns: the initial state.
    package static func state(_ y: [Double], spec: ETSSpecification) -> ETSState {
        let n = y.count
        let m = spec.period
        var adjusted = y
        var season: [Double] = []
        if spec.season != .none {
            let multiplicative = spec.season == .multiplicative
            let seasonal: [Double]
            if n < 3 * m {
                seasonal = fourierDetrended(y, period: m, multiplicative: multiplicative)
            } else {
                seasonal = decompose(Array(y[0..<(3 * m)]), period: m, multiplicative: multiplicative)
            }
            // season[k] is the state of period k; the optimiser owns k = 1..m-1, period 0 is
            // implied by normalisation.
            season = Array(seasonal[0..<m])
            if multiplicative {
                for k in 1..<m { season[k] = max(season[k], 1e-2) }
                var total = 0.0
                for k in 1..<m { total += season[k] }
                if total > Double(m) {
                    var padded = 0.0
                    for k in 1..<m { padded += season[k] + 1e-2 }
                    for k in 1..<m { season[k] /= padded }
                }
                for t in 0..<n { adjusted[t] = y[t] / max(seasonal[t % seasonal.count], 1e-2) }
            } else {
                for t in 0..<n { adjusted[t] = y[t] - seasonal[t % seasonal.count] }
            }
            normalise(&season, multiplicative: multiplicative)
        }
        let count = min(max(10, 2 * m), n)
        if spec.trend == .none {
            var mean = 0.0
            for t in 0..<count { mean += adjusted[t] }
            return ETSState(level: mean / Double(count), season: season)
        }
        // Least squares on t = 1...count: the intercept is the level before the first observation.
        var sx = 0.0
        var sy = 0.0
        var sxx = 0.0
        var sxy = 0.0
        for t in 0..<count {
            let x = Double(t + 1)
            sx += x
            sy += adjusted[t]
            sxx += x * x
            sxy += x * adjusted[t]
        }
        let c = Double(count)
        let slope = (c * sxy - sx * sy) / (c * sxx - sx * sx)
        var level = (sy - slope * sx) / c
        var b = slope
        if spec.error == .multiplicative && abs(level + b) < 1e-8 {
            level *= 1 + 1e-3
            b *= 1 + 1e-3
        }
        return ETSState(level: level, slope: b, season: season)
    }

    /// Sets `season[0]` so the states sum to 0 (additive) or to `m` (multiplicative).
    package static func normalise(_ season: inout [Double], multiplicative: Bool) {
        var rest = 0.0
        for k in 1..<season.count { rest += season[k] }
        season[0] = multiplicative ? Double(season.count) - rest : -rest
    }

    /// R's starting smoothing parameters: small alpha, beta a tenth of its range under alpha,
    /// gamma a twentieth under 1 - alpha, phi near its top.
    /// - Parameters:
    ///   - spec: the model.
    ///   - caps: upper bounds on beta and gamma.
    /// - Returns: the parameters.
    package static func parameters(spec: ETSSpecification, caps: Caps = .box) -> ETSParameters {
        let alpha = startingAlpha(spec)
        var result = ETSParameters(alpha: alpha)
        if spec.trend != .none {
            let top = min(caps.beta, alpha)
            var beta = lower.beta + 0.1 * (top - lower.beta)
            if beta < 0 || beta > alpha { beta = alpha - 1e-3 }
            result.beta = beta
        }
        if spec.season != .none {
            let top = min(caps.gamma, 1 - alpha)
            var gamma = lower.gamma + 0.05 * (top - lower.gamma)
            if gamma < 0 || gamma > 1 - alpha { gamma = 1 - alpha - 1e-3 }
            result.gamma = gamma
        }
        if spec.trend == .damped {
            result.phi = lower.phi + 0.99 * (upper.phi - lower.phi)
        }
        return result
    }

    /// Both of R's tests ("both" bounds): the usual box with `beta < alpha` and
    /// `gamma < 1 - alpha`, and the admissible region where the model forgets its start (the
    /// characteristic polynomial's roots inside the unit circle).
    /// - Parameters:
    ///   - p: the parameters.
    ///   - spec: the model.
    ///   - caps: upper bounds on beta and gamma.
    /// - Returns: whether the optimiser may use them.
    package static func isValid(_ p: ETSParameters, spec: ETSSpecification, caps: Caps = .box) -> Bool {
        guard p.alpha >= lower.alpha, p.alpha <= upper.alpha else { return false }
        let hasTrend = spec.trend != .none
        let hasSeason = spec.season != .none
        if hasTrend, p.beta < lower.beta || p.beta > p.alpha || p.beta > caps.beta { return false }
        if spec.trend == .damped, p.phi < lower.phi || p.phi > upper.phi { return false }
        if hasSeason, p.gamma < lower.gamma || p.gamma > 1 - p.alpha || p.gamma > caps.gamma { return false }
        return isAdmissible(p, spec: spec)
    }

    /// R's `admissible()`.
    static func isAdmissible(_ p: ETSParameters, spec: ETSSpecification) -> Bool {
        let phi = spec.trend == .damped ? p.phi : 1
        let alpha = p.alpha
        let beta = spec.trend == .none ? 0 : p.beta
        guard phi >= 0, phi <= 1 + 1e-8 else { return false }
        guard spec.season != .none else {
            if alpha < 1 - 1 / phi || alpha > 1 + 1 / phi { return false }
            if spec.trend != .none, beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha) { return false }
            return true
        }
        let m = Double(spec.period)
        let gamma = p.gamma
        if gamma < max(1 - 1 / phi - alpha, 0) || gamma > 1 + 1 / phi - alpha { return false }
        if alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m) { return false }
        if beta < -(1 - phi) * (gamma / m + alpha) { return false }
        // Characteristic polynomial, constant term first, monic of degree m + 1.
        var coefficients = [Double](repeating: alpha + beta - alpha * phi, count: spec.period + 2)
        coefficients[0] = phi * (1 - alpha - gamma)
        coefficients[1] = alpha + beta - alpha * phi + gamma - 1
        coefficients[spec.period] = alpha + beta - phi
        coefficients[spec.period + 1] = 1
        return rootsInsideUnitCircle(coefficients)
    }

    /// The Schur-Cohn test: no root of the polynomial lies outside the unit circle. Roots on the
    /// circle are accepted (as R's `max(abs(roots)) > 1 + 1e-10` test does; a model without trend
    /// always has one at z = 1) by testing P(rho z), rho slightly above 1, for roots strictly
    /// inside. O(d^2) real arithmetic, where a root finder would cost far more on every objective
    /// call.
    /// - Parameter coefficients: constant term first.
    /// - Returns: whether no root lies outside the unit circle.
    package static func rootsInsideUnitCircle(_ coefficients: [Double]) -> Bool {
        var a = coefficients
        var scale = 1.0
        for k in 0..<a.count {
            a[k] *= scale
            scale *= 1 + 1e-7
        }
        var degree = a.count - 1
        while degree > 0 {
            let lead = a[degree]
            let constant = a[0]
            guard lead != 0 else { return false }
            if abs(constant) >= abs(lead) { return false }
            var next = [Double](repeating: 0, count: degree)
            var largest = 0.0
            for j in 0..<degree {
                next[j] = lead * a[j + 1] - constant * a[degree - 1 - j]
                largest = max(largest, abs(next[j]))
            }
            // Each step multiplies the coefficients' size by about |lead|; rescale so they do
            // not underflow after a few steps (the roots do not change).
            guard largest > 0 else { return false }
            for j in 0..<degree { next[j] /= largest }
            a = next
            degree -= 1
        }
        return true
    }

    /// Classical decomposition's seasonal figure (R's `decompose`), repeated over the input.
    static func decompose(_ y: [Double], period m: Int, multiplicative: Bool) -> [Double] {
        let n = y.count
        var weights = [Double](repeating: 1 / Double(m), count: m + (m % 2 == 0 ? 1 : 0))
        if m % 2 == 0 {
            weights[0] = 0.5 / Double(m)
            weights[m] = 0.5 / Double(m)
        }
        let half = weights.count / 2
        var sums = [Double](repeating: 0, count: m)
        var counts = [Int](repeating: 0, count: m)
        if n - half > half {
            for t in half..<(n - half) {
                var trend = 0.0
                for (k, w) in weights.enumerated() { trend += w * y[t - half + k] }
                sums[t % m] += multiplicative ? y[t] / trend : y[t] - trend
                counts[t % m] += 1
            }
        }
        var figure = [Double](repeating: multiplicative ? 1 : 0, count: m)
        for k in 0..<m where counts[k] > 0 { figure[k] = sums[k] / Double(counts[k]) }
        var mean = 0.0
        for v in figure { mean += v }
        mean /= Double(m)
        for k in 0..<m { figure[k] = multiplicative ? figure[k] / mean : figure[k] - mean }
        return (0..<n).map { figure[$0 % m] }
    }

    /// The history without a fitted line and first harmonic's trend part (R's `tslm(y ~ trend +
    /// fourier(y, 1))` path for fewer than three seasons).
    static func fourierDetrended(_ y: [Double], period m: Int, multiplicative: Bool) -> [Double] {
        let n = y.count
        let columns = m == 2 ? 3 : 4
        var xtx = [Double](repeating: 0, count: columns * columns)
        var xty = [Double](repeating: 0, count: columns)
        func row(_ t: Int) -> [Double] {
            let x = Double(t + 1)
            let angle = 2 * Double.pi * x / Double(m)
            return columns == 3
                ? [1, x, _cos(angle)]
                : [1, x, _sin(angle), _cos(angle)]
        }
        for t in 0..<n {
            let r = row(t)
            for i in 0..<columns {
                xty[i] += r[i] * y[t]
                for j in 0..<columns { xtx[i * columns + j] += r[i] * r[j] }
            }
        }
        let beta = solve(xtx, xty, columns) ?? [y.reduce(0, +) / Double(n), 0, 0, 0]
        return (0..<n).map { t in
            let trend = beta[0] + beta[1] * Double(t + 1)
            return multiplicative ? y[t] / trend : y[t] - trend
        }
    }

    /// Gaussian elimination with partial pivoting for the tiny normal equations above.
    static func solve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double]? {
        var m = a
        var v = b
        for column in 0..<n {
            var pivot = column
            for r in (column + 1)..<max(n, column + 1) where abs(m[r * n + column]) > abs(m[pivot * n + column]) {
                pivot = r
            }
            guard abs(m[pivot * n + column]) > 1e-12 else { return nil }
            if pivot != column {
                for j in 0..<n { m.swapAt(column * n + j, pivot * n + j) }
                v.swapAt(column, pivot)
            }
            for r in 0..<n where r != column {
                let factor = m[r * n + column] / m[column * n + column]
                for j in column..<n { m[r * n + j] -= factor * m[column * n + j] }
                v[r] -= factor * v[column]
            }
        }
        return (0..<n).map { v[$0] / m[$0 * n + $0] }
    }
}

private func _sin(_ x: Double) -> Double { Double.sin(x) }
private func _cos(_ x: Double) -> Double { Double.cos(x) }
