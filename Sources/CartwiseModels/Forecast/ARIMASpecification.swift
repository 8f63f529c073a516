import RealModule

/// The orders of a seasonal ARIMA model, (p,d,q)(P,D,Q)m, and whether the differenced series
/// has a constant (a mean when nothing is differenced, a drift when once).
package struct ARIMASpecification: Hashable, Sendable, CustomStringConvertible {
    package var p: Int
    package var d: Int
    package var q: Int
    package var seasonalP: Int
    package var seasonalD: Int
    package var seasonalQ: Int
    package var period: Int
    package var constant: Bool

    package init(
        p: Int,
        d: Int,
        q: Int,
        seasonalP: Int = 0,
        seasonalD: Int = 0,
        seasonalQ: Int = 0,
        period: Int = 1,
        constant: Bool = false
    ) {
        self.p = p
        self.d = d
        self.q = q
        self.seasonalP = period > 1 ? seasonalP : 0
        self.seasonalD = period > 1 ? seasonalD : 0
        self.seasonalQ = period > 1 ? seasonalQ : 0
        self.period = max(period, 1)
        self.constant = constant
    }

    /// ARMA coefficients the likelihood is maximised over.
    package var armaCount: Int { p + q + seasonalP + seasonalQ }

    /// Observations lost to differencing.
    package var differencedAway: Int { d + period * seasonalD }

    /// R's notation: `ARIMA(1,1,1)(0,1,1)[12]`, `ARIMA(0,1,1) with drift`,
    /// `ARIMA(2,0,0) with non-zero mean`.
    package var description: String {
        var text = "ARIMA(\(p),\(d),\(q))"
        if period > 1 && (seasonalP + seasonalD + seasonalQ) > 0 {
            text += "(\(seasonalP),\(seasonalD),\(seasonalQ))[\(period)]"
        }
        if constant { text += d + seasonalD == 0 ? " with non-zero mean" : " with drift" }
        return text
    }

    /// The differencing polynomial (1 - B)^d (1 - B^m)^D as coefficients delta_i of
    /// y_t = sum_i delta_i y_{t-i} + w_t (index 0 unused).
    package var differencing: [Double] {
        var polynomial: [Double] = [1]
        for _ in 0..<d { polynomial = LagPolynomial.multiply(polynomial, [1, -1]) }
        for _ in 0..<seasonalD {
            var seasonal = [Double](repeating: 0, count: period + 1)
            seasonal[0] = 1
            seasonal[period] = -1
            polynomial = LagPolynomial.multiply(polynomial, seasonal)
        }
        return polynomial.map { -$0 }
    }
}

/// Polynomials in the lag operator, coefficient of B^i at index i.
package enum LagPolynomial {
    package static func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
        var product = [Double](repeating: 0, count: a.count + b.count - 1)
        for (i, x) in a.enumerated() where x != 0 {
            for (j, y) in b.enumerated() { product[i + j] += x * y }
        }
        return product
    }

    /// The full AR coefficients phi_i of w_t = sum phi_i w_{t-i} + ... from the non-seasonal
    /// and seasonal ones: (1 - sum a_i B^i)(1 - sum s_j B^{mj}) = 1 - sum phi_i B^i.
    package static func expandAR(_ ar: [Double], seasonal: [Double], period: Int) -> [Double] {
        let product = multiply([1] + ar.map { -$0 }, spread([1] + seasonal.map { -$0 }, period))
        return Array(product.dropFirst().map { -$0 })
    }

    /// The full MA coefficients: (1 + sum a_i B^i)(1 + sum s_j B^{mj}) = 1 + sum theta_i B^i.
    package static func expandMA(_ ma: [Double], seasonal: [Double], period: Int) -> [Double] {
        Array(multiply([1] + ma, spread([1] + seasonal, period)).dropFirst())
    }

    private static func spread(_ coefficients: [Double], _ period: Int) -> [Double] {
        var spread = [Double](repeating: 0, count: (coefficients.count - 1) * period + 1)
        for (j, c) in coefficients.enumerated() { spread[j * period] = c }
        return spread
    }

    /// Maps unconstrained numbers onto the coefficients of a stationary AR polynomial (Jones
    /// 1980, as R's `arima` does with `transform.pars`): each becomes a partial autocorrelation
    /// through tanh and the Durbin-Levinson recursion turns those into coefficients. An
    /// optimiser over the raw numbers can then never leave the stationary region.
    package static func stationary(_ raw: [Double]) -> [Double] {
        var phi = raw.map { tanhClamped($0) }
        var work = phi
        for j in 1..<max(phi.count, 1) {
            let a = phi[j]
            for k in 0..<j { work[k] -= a * phi[j - k - 1] }
            for k in 0..<j { phi[k] = work[k] }
        }
        return phi
    }

    /// The inverse of ``stationary(_:)`` for a stationary polynomial (the start of a search).
    package static func unconstrained(_ phi: [Double]) -> [Double] {
        var a = phi
        var work = phi
        let n = phi.count
        guard n > 0 else { return [] }
        for j in stride(from: n - 1, through: 1, by: -1) {
            let b = a[j]
            let denominator = 1 - b * b
            guard denominator > 1e-12 else { return phi.map { _ in 0 } }
            for k in 0..<j { work[k] = (a[k] + b * a[j - k - 1]) / denominator }
            for k in 0..<j { a[k] = work[k] }
        }
        return a.map { value in
            let clamped = min(max(value, -0.999_999), 0.999_999)
            return 0.5 * Double.log((1 + clamped) / (1 - clamped))
        }
    }

    private static func tanhClamped(_ x: Double) -> Double {
        let e = Double.exp(2 * min(max(x, -20), 20))
        return (e - 1) / (e + 1)
    }

    /// Whether every root of 1 - sum c_i z^i lies outside the circle of radius `radius`
    /// (R's `auto.arima` drops models with a root within 1.01 of the unit circle).
    package static func rootsOutside(_ c: [Double], radius: Double = 1.01) -> Bool {
        var last = c.count
        while last > 0 && c[last - 1] == 0 { last -= 1 }
        guard last > 0 else { return true }
        // z = r w: the roots of Q(w) = P(r w) = 1 - sum c_i r^i w^i lie outside the unit circle
        // exactly when those of its reversal w^n Q(1 / w) lie inside it.
        var reversed = [Double](repeating: 0, count: last + 1)
        reversed[last] = 1
        var scale = 1.0
        for i in 1...last {
            scale *= radius
            reversed[last - i] = -c[i - 1] * scale
        }
        return ETSInitialization.rootsInsideUnitCircle(reversed)
    }
}
