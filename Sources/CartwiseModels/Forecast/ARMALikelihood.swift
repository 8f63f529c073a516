import RealModule

/// The exact Gaussian likelihood of a regression with stationary ARMA errors, by the Kalman
/// filter on Harvey's state-space form (as R's `arima` computes it for a differenced series),
/// with the regression coefficients and the innovation variance concentrated out: the filter's
/// gains do not depend on the data, so filtering the series and every regressor column through
/// the same recursion and regressing the standardised innovations gives the generalised least
/// squares coefficients for the ARMA parameters at hand. The optimiser then searches only the
/// ARMA coefficients.
package struct ARMALikelihood: Sendable {
    /// The differenced series.
    package let w: [Double]
    /// Differenced regressor columns (a column of ones for a mean or drift), each `w.count` long.
    package let columns: [[Double]]

    package init(w: [Double], columns: [[Double]]) {
        self.w = w
        self.columns = columns
    }

    package struct Evaluation: Sendable {
        /// -2 log likelihood.
        package var deviance: Double
        package var beta: [Double]
        package var sigma2: Double
        /// The predicted state of the regression's error after the last observation.
        package var state: [Double]
    }

    /// - Parameters:
    ///   - phi: full AR coefficients (seasonal factors multiplied out), stationary.
    ///   - theta: full MA coefficients.
    /// - Returns: nil when the filter breaks down (a non-stationary AR polynomial).
    package func evaluate(phi: [Double], theta: [Double]) -> Evaluation? {
        let n = w.count
        let k = columns.count
        guard n > k else { return nil }
        let r = max(phi.count, theta.count + 1, 1)
        var ar = [Double](repeating: 0, count: r + 1)
        for (i, c) in phi.enumerated() { ar[i] = c }
        var ma = [Double](repeating: 0, count: r + 1)
        ma[0] = 1
        for (i, c) in theta.enumerated() { ma[i + 1] = c }
        guard var covariance = stationaryCovariance(ar: ar, ma: ma, r: r) else { return nil }
        let series = k + 1
        // States of every filtered series side by side (series s at s * width), one spare slot
        // so the companion shift can read a[r] = 0.
        let width = r + 1
        var states = [Double](repeating: 0, count: series * width)
        var innovations = [Double](repeating: 0, count: series * n)
        var sumLogF = 0.0
        var gain = [Double](repeating: 0, count: r)
        var next = covariance
        var column0 = [Double](repeating: 0, count: r + 1)
        var steady = false
        var f = 1.0
        for t in 0..<n {
            if !steady {
                f = covariance[0]
                guard f > 1e-300, f.isFinite else { return nil }
                for i in 0..<r { gain[i] = covariance[i * r] / f }
            }
            sumLogF += Double.log(f)
            let root = f.squareRoot()
            for s in 0..<series {
                let base = s * width
                let observed = s == 0 ? w[t] : columns[s - 1][t]
                let v = observed - states[base]
                innovations[s * n + t] = v / root
                // Update (a + K v), then predict with the companion matrix:
                // a'[i] = ar[i] a[0] + a[i + 1].
                let a0 = states[base] + gain[0] * v
                for i in 0..<r {
                    let shifted = i + 1 < r ? states[base + i + 1] + gain[i + 1] * v : 0
                    states[base + i] = ar[i] * a0 + shifted
                }
            }
            if steady { continue }
            // P <- T (P - P e1 e1' P / F) T' + R R', in O(r^2) from the companion structure,
            // with M = P - P e1 e1' P / F read as m(a, b) (zero outside the matrix).
            for i in 0..<r { column0[i] = covariance[i * r] }
            column0[r] = 0
            let m00 = covariance[0] - column0[0] * column0[0] / f
            var change = 0.0
            for i in 0..<r {
                let mi0 = i + 1 < r ? covariance[(i + 1) * r] - column0[i + 1] * column0[0] / f : 0
                for j in i..<r {
                    var value = ar[i] * ar[j] * m00 + ma[i] * ma[j]
                    if j + 1 < r { value += ar[i] * (covariance[j + 1] - column0[0] * column0[j + 1] / f) }
                    value += ar[j] * mi0
                    if i + 1 < r && j + 1 < r {
                        value += covariance[(i + 1) * r + j + 1] - column0[i + 1] * column0[j + 1] / f
                    }
                    next[i * r + j] = value
                    next[j * r + i] = value
                    change = max(change, abs(value - covariance[i * r + j]))
                }
            }
            swap(&covariance, &next)
            if change < 1e-12 { steady = true }
        }
        // Generalised least squares on the standardised innovations.
        var beta = [Double](repeating: 0, count: k)
        if k > 0 {
            var gram = [Double](repeating: 0, count: k * k)
            var right = [Double](repeating: 0, count: k)
            for i in 0..<k {
                for j in i..<k {
                    var s = 0.0
                    for t in 0..<n { s += innovations[(i + 1) * n + t] * innovations[(j + 1) * n + t] }
                    gram[i * k + j] = s
                    gram[j * k + i] = s
                }
                var s = 0.0
                for t in 0..<n { s += innovations[(i + 1) * n + t] * innovations[t] }
                right[i] = s
            }
            guard let solved = CholeskySolve.solve(gram, right, size: k) else { return nil }
            beta = solved
        }
        var sse = 0.0
        for t in 0..<n {
            var e = innovations[t]
            for j in 0..<k { e -= beta[j] * innovations[(j + 1) * n + t] }
            sse += e * e
        }
        let sigma2 = sse / Double(n)
        guard sigma2 > 0, sigma2.isFinite else { return nil }
        var state = Array(states[0..<r])
        for j in 0..<k {
            for i in 0..<r { state[i] -= beta[j] * states[(j + 1) * width + i] }
        }
        let deviance = Double(n) * Double.log(2 * Double.pi * sigma2) + sumLogF + Double(n)
        return Evaluation(deviance: deviance, beta: beta, sigma2: sigma2, state: state)
    }

    /// The state's stationary covariance (innovation variance 1): the sum over j of
    /// (T^j R)(T^j R)', each term O(r) to form from the companion structure. A pure MA has r
    /// terms; AR roots near the unit circle are cut after 2,000 (their tail is below 1e-12 of
    /// the sum, or the model would be refused for its near-unit root anyway).
    private func stationaryCovariance(ar: [Double], ma: [Double], r: Int) -> [Double]? {
        var covariance = [Double](repeating: 0, count: r * r)
        var g = Array(ma.prefix(r))
        var total = 0.0
        for _ in 0..<2_000 {
            var norm = 0.0
            for i in 0..<r { norm += g[i] * g[i] }
            if norm == 0 || norm < 1e-14 * total { break }
            total += norm
            guard total.isFinite else { return nil }
            for i in 0..<r where g[i] != 0 {
                for j in i..<r { covariance[i * r + j] += g[i] * g[j] }
            }
            let head = g[0]
            for i in 0..<r { g[i] = ar[i] * head + (i + 1 < r ? g[i + 1] : 0) }
        }
        for i in 0..<r {
            for j in 0..<i { covariance[i * r + j] = covariance[j * r + i] }
        }
        return covariance
    }
}

/// Solves a small symmetric positive definite system by Cholesky.
package enum CholeskySolve {
    package static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        var largest = 0.0
        for i in 0..<n { largest = max(largest, a[i * n + i]) }
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 1e-12 * max(largest, 1e-300) else { return nil }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
            y[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
            y[i] /= l[i * n + i]
        }
        return y
    }
}

extension CholeskySolve {
    /// y less its ordinary least squares fit on `columns` (y itself when they are collinear).
    static func residuals(_ y: [Double], on columns: [[Double]]) -> [Double] {
        let k = columns.count
        guard k > 0 else { return y }
        var gram = [Double](repeating: 0, count: k * k)
        var right = [Double](repeating: 0, count: k)
        for i in 0..<k {
            for j in i..<k {
                var s = 0.0
                for t in 0..<y.count { s += columns[i][t] * columns[j][t] }
                gram[i * k + j] = s
                gram[j * k + i] = s
            }
            for t in 0..<y.count { right[i] += columns[i][t] * y[t] }
        }
        guard let beta = solve(gram, right, size: k) else { return y }
        var residual = y
        for t in 0..<y.count {
            for j in 0..<k { residual[t] -= beta[j] * columns[j][t] }
        }
        return residual
    }
}
