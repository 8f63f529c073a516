import RealModule

/// Gauss's hypergeometric function, only as far as the BG/NBD expectations need it.
package enum Hypergeometric {
    /// (1 - z)^(r + x) · ₂F₁(r + x, b + x; a + b + x - 1; z) for 0 ≤ z < 1: the term of the BG/NBD
    /// conditional expectation.
    ///
    /// Which series is summed depends on the parameters. The plain one's terms rise until about
    /// n = (r + x) z / (1 - z) before they fall: for a customer with hundreds of purchases that
    /// is thousands of terms, and 2^x at z = 1/2 overflows. Euler's transformation
    /// ₂F₁(α, β; γ; z) = (1 - z)^(γ - α - β) ₂F₁(γ - α, γ - β; γ; z) gives a series whose first
    /// two parameters, a + b - 1 - r and a - 1, no longer grow with x; but a fit where the
    /// drop-out rate barely varies (a and b in the thousands, as on a store where few lapse)
    /// makes a - 1 the large one. The smaller of r + x and a - 1 decides.
    /// - Parameters:
    ///   - r: the BG/NBD r.
    ///   - a: the BG/NBD a.
    ///   - b: the BG/NBD b.
    ///   - x: the repeat purchases.
    ///   - z: t / (α + T + t).
    /// - Returns: the scaled value, in [0, 1] for valid parameters.
    package static func scaledBGNBDTerm(r: Double, a: Double, b: Double, x: Double, z: Double) -> Double {
        let gamma = a + b + x - 1
        if r + x <= a - 1 {
            return pow1m(z, r + x) * series(r + x, b + x, gamma, z)
        }
        return pow1m(z, a - 1) * series(a + b - 1 - r, a - 1, gamma, z)
    }

    /// ₂F₁(α, β; γ; z) by its power series, for 0 ≤ z < 1 and γ > 0; it converges at the rate of
    /// z, so z near 1 takes many terms (about 40 / (1 - z) at most: 4,000 for a ten-year
    /// horizon on a brand-new customer).
    /// - Parameters:
    ///   - alpha: α.
    ///   - beta: β.
    ///   - gamma: γ, positive.
    ///   - z: in [0, 1).
    /// - Returns: the sum.
    package static func series(_ alpha: Double, _ beta: Double, _ gamma: Double, _ z: Double) -> Double {
        var budget = 200_000
        return series(alpha, beta, gamma, z, budget: &budget) ?? .nan
    }

    /// The same sum within a budget of terms, which it spends: nil when the budget ran out
    /// first (z too near 1 for the series to be worth summing).
    /// - Parameters:
    ///   - alpha: α.
    ///   - beta: β.
    ///   - gamma: γ, positive.
    ///   - z: in [0, 1).
    ///   - budget: terms left; reduced by the terms used.
    /// - Returns: the sum, or nil.
    package static func series(
        _ alpha: Double,
        _ beta: Double,
        _ gamma: Double,
        _ z: Double,
        budget: inout Int
    ) -> Double? {
        guard z > 0 else { return 1 }
        var term = 1.0
        var sum = 1.0
        var n = 0.0
        while true {
            guard budget > 0 else { return nil }
            budget -= 1
            term *= (alpha + n) * (beta + n) / ((gamma + n) * (n + 1)) * z
            sum += term
            n += 1
            // Once the ratio of terms is below 1 the tail is at most |term| · z / (1 - z). The
            // test is absolute for sums near 0 (small a and b make the terms cancel), where a
            // relative one never stopped: what the expectations need is the sum to 1e-15.
            if abs(term) * z / (1 - z) <= 1e-15 * max(1, abs(sum))
                && (alpha + n) * (beta + n) <= (gamma + n) * (n + 1)
            {
                return sum
            }
            if term == 0 { return sum }
        }
    }

    /// (1 - z)^p.
    private static func pow1m(_ z: Double, _ p: Double) -> Double {
        Double.exp(p * Double.log(onePlus: -z))
    }
}
