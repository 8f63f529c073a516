/// Unconstrained minimisation by BFGS with central-difference gradients, after R's `optim`
/// (`vmmin`): backtracking line search with an Armijo test, inverse-Hessian updates only while
/// the curvature condition holds, a reset to steepest descent when a step fails. ARIMA
/// likelihoods are smooth in the transformed coefficients, where this converges in a few dozen
/// evaluations per coordinate rather than the hundreds a simplex needs.
package struct QuasiNewton: Sendable {
    package var maxIterations = 100
    /// Stop when an accepted step improves the value by less than this relative amount.
    package var relativeTolerance = 1.490_116_119_384_765_6e-8
    /// The step of the central differences.
    package var gradientStep = 1e-3

    package init() {}

    /// - Parameters:
    ///   - start: the starting point.
    ///   - objective: the function to minimise; return infinity outside its domain.
    /// - Returns: the best point found and its value.
    package func minimize(start: [Double], objective: ([Double]) -> Double) -> (point: [Double], value: Double) {
        let n = start.count
        func value(_ x: [Double]) -> Double {
            let v = objective(x)
            return v.isNaN ? .infinity : v
        }
        guard n > 0 else { return (start, value(start)) }
        func gradient(_ x: [Double]) -> [Double] {
            var g = [Double](repeating: 0, count: n)
            var probe = x
            for i in 0..<n {
                probe[i] = x[i] + gradientStep
                let up = value(probe)
                probe[i] = x[i] - gradientStep
                let down = value(probe)
                probe[i] = x[i]
                g[i] = up.isFinite && down.isFinite ? (up - down) / (2 * gradientStep) : 0
            }
            return g
        }
        var x = start
        var f = value(x)
        guard f.isFinite else { return (x, f) }
        var g = gradient(x)
        var inverse = identity(n)
        var freshlyReset = true
        for _ in 0..<maxIterations {
            var direction = [Double](repeating: 0, count: n)
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s -= inverse[i][j] * g[j] }
                direction[i] = s
            }
            var slope = 0.0
            for i in 0..<n { slope += direction[i] * g[i] }
            if slope >= 0 {
                if freshlyReset { break }
                inverse = identity(n)
                freshlyReset = true
                continue
            }
            var step = 1.0
            var accepted: (point: [Double], value: Double)?
            while step > 1e-12 {
                var trial = x
                var moved = false
                for i in 0..<n {
                    trial[i] = x[i] + step * direction[i]
                    if trial[i] != x[i] { moved = true }
                }
                guard moved else { break }
                let ft = value(trial)
                if ft.isFinite && ft <= f + 1e-4 * step * slope {
                    accepted = (trial, ft)
                    break
                }
                step *= 0.2
            }
            guard let (next, fNext) = accepted else {
                if freshlyReset { break }
                inverse = identity(n)
                freshlyReset = true
                continue
            }
            let improvement = f - fNext
            let gNext = gradient(next)
            var s = [Double](repeating: 0, count: n)
            var yv = [Double](repeating: 0, count: n)
            var curvature = 0.0
            for i in 0..<n {
                s[i] = next[i] - x[i]
                yv[i] = gNext[i] - g[i]
                curvature += s[i] * yv[i]
            }
            x = next
            f = fNext
            g = gNext
            if improvement <= relativeTolerance * (abs(f) + relativeTolerance) { break }
            if curvature > 0 {
                var hy = [Double](repeating: 0, count: n)
                var yhy = 0.0
                for i in 0..<n {
                    var sum = 0.0
                    for j in 0..<n { sum += inverse[i][j] * yv[j] }
                    hy[i] = sum
                    yhy += yv[i] * sum
                }
                let factor = (1 + yhy / curvature) / curvature
                for i in 0..<n {
                    for j in 0..<n {
                        inverse[i][j] += factor * s[i] * s[j] - (hy[i] * s[j] + s[i] * hy[j]) / curvature
                    }
                }
                freshlyReset = false
            } else {
                inverse = identity(n)
                freshlyReset = true
            }
        }
        return (x, f)
    }

    private func identity(_ n: Int) -> [[Double]] {
        var m = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { m[i][i] = 1 }
        return m
    }
}
