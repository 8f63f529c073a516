import RealModule

/// The distribution of a count (units sold in a period, or over a lead time): negative binomial
/// with a given mean and variance, Poisson when the variance is not above the mean.
///
/// Demand for a shop's items is counted in whole units, mostly zero for slow movers, and more
/// dispersed than Poisson: a normal interval around 0.3 a day either goes below zero or says
/// nothing. The negative binomial is the usual model for such counts (a Poisson whose rate
/// varies as a gamma), matches the first two moments a forecast gives, and its quantiles are
/// whole units.
package struct CountDistribution: Sendable, Equatable {
    package let mean: Double
    package let variance: Double

    /// - Parameters:
    ///   - mean: at least zero.
    ///   - variance: at least zero; raised to the mean (Poisson) when below it.
    package init(mean: Double, variance: Double) {
        self.mean = max(mean, 0)
        self.variance = max(variance, self.mean)
    }

    /// P(X = 0) and the ratio P(X = k+1) / P(X = k) as a function of k; nil when P(X = 0)
    /// is below what a Double holds (a mean in the hundreds): the normal approximation is then
    /// within a fraction of a unit.
    private var zeroAndRatio: (Double, (Int) -> Double)? {
        let mu = mean
        if variance <= mu * (1 + 1e-9) {
            guard mu < 700 else { return nil }
            return (Double.exp(-mu), { k in mu / Double(k + 1) })
        }
        // r = mu^2 / (var - mu), q = mu / (r + mu); log(1 - q) as log(r) - log(r + mu), since
        // 1 - q loses every digit when r is tiny next to mu.
        let r = mu * mu / (variance - mu)
        guard r > 0 else { return (1, { _ in 0 }) }
        let logZero = r * (Double.log(r) - Double.log(r + mu))
        guard logZero > -700 else { return nil }
        let q = mu / (r + mu)
        return (Double.exp(logZero), { k in (Double(k) + r) / Double(k + 1) * q })
    }

    /// The normal approximation, a half unit corrected for continuity.
    private var normal: (mean: Double, sd: Double) { (mean, variance.squareRoot()) }

    /// P(X <= k).
    package func cdf(_ k: Int) -> Double {
        guard k >= 0 else { return 0 }
        guard mean > 0 else { return 1 }
        guard let (zero, ratio) = zeroAndRatio else {
            return NormalDistribution.cdf((Double(k) + 0.5 - normal.mean) / normal.sd)
        }
        var p = zero
        var total = zero
        var j = 0
        while j < k {
            p *= ratio(j)
            j += 1
            total += p
            if p < 1e-300 && Double(j) > mean { break }
        }
        return min(total, 1)
    }

    /// The smallest whole number of units k with P(X <= k) >= p.
    package func quantile(_ p: Double) -> Double {
        continuousQuantile(p).rounded(.up)
    }

    /// The quantile of X - 1 + U (U uniform on (0, 1]): strictly increasing in `p`, and its
    /// value rounded up is ``quantile(_:)``. Stock levels are reported on this scale, so that a
    /// higher service level always asks for more (fractionally, where whole units do not move
    /// yet); acting on it means rounding up.
    /// - Parameter p: a probability in (0, 1).
    /// - Returns: a value above -1.
    package func continuousQuantile(_ p: Double) -> Double {
        guard mean > 0 else { return p - 1 }
        guard let (zero, ratio) = zeroAndRatio else {
            return normal.mean + NormalDistribution.quantile(p) * normal.sd - 0.5
        }
        var mass = zero
        var below = 0.0
        var k = 0
        // Guards the walk: far past the mean nothing is left to add.
        let limit = Int(mean + 60 * variance.squareRoot() + 100)
        while below + mass < p && k < limit {
            below += mass
            mass *= ratio(k)
            k += 1
        }
        guard mass > 0 else { return Double(k) }
        return Double(k) - 1 + min(max((p - below) / mass, 0), 1)
    }

    /// Where an observed count fell: P(X < y) and P(X <= y), in one walk (what calibrating
    /// count intervals needs).
    /// - Parameter y: the observed count (rounded to whole units).
    /// - Returns: P(X < y) and P(X <= y).
    package func position(of y: Double) -> (below: Double, atOrBelow: Double) {
        let k = Int(max(y, 0).rounded())
        let atOrBelow = cdf(k)
        guard k > 0, mean > 0, let (zero, ratio) = zeroAndRatio else { return (cdf(k - 1), atOrBelow) }
        // P(X = k) from the same recursion; P(X < y) is what is left.
        var mass = zero
        for j in 0..<k { mass *= ratio(j) }
        return (max(atOrBelow - mass, 0), atOrBelow)
    }
}

extension CountDistribution {
    /// E[(X - stock)+]: the units short over a window when `stock` whole units cover it (the
    /// loss function a fill rate is computed from).
    package func expectedShortfall(stock: Int) -> Double {
        guard stock > 0 else { return mean }
        // E[(X - S)+] = mu - S + E[(S - X)+], and E[(S - X)+] = sum_{j<S} P(X <= j).
        var over = 0.0
        var cumulative = 0.0
        guard let (zero, ratio) = zeroAndRatio else {
            let (mu, sd) = normal
            return sd * NormalDistribution.loss((Double(stock) + 0.5 - mu) / sd)
        }
        var mass = zero
        for j in 0..<stock {
            cumulative += mass
            over += cumulative
            mass *= ratio(j)
            if cumulative >= 1 - 1e-15 {
                over += Double(stock - j - 1)
                break
            }
        }
        return max(mean - Double(stock) + over, 0)
    }
}
