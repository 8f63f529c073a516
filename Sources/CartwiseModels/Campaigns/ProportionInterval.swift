import RealModule

/// Confidence intervals for response rates and their differences, as a campaign readout
/// reports them.
///
/// Wald's p ± z√(p(1−p)/n) undercovers at small counts and collapses to a point at 0 or n
/// responders; Wilson's score interval does not, and Newcombe's hybrid of two Wilson intervals
/// (his method 10, 1998) carries that to a difference. The A/A tests check that a 95 % interval
/// holds the true difference about 95 % of the time.
package enum ProportionInterval {
    /// Wilson's score interval for `successes` of `trials`.
    /// - Parameters:
    ///   - successes: responders.
    ///   - trials: customers.
    ///   - level: the confidence level, in (0, 1).
    /// - Returns: the bounds; (0, 1) when there are no trials.
    package static func wilson(successes: Int, trials: Int, level: Double) -> (lower: Double, upper: Double) {
        guard trials > 0 else { return (0, 1) }
        let z = NormalDistribution.quantile(0.5 + level / 2)
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }

    /// Newcombe's hybrid score interval for p₁ − p₂ (method 10).
    /// - Parameters:
    ///   - first: responders and customers of the first group (the treated).
    ///   - second: those of the second (the control).
    ///   - level: the confidence level, in (0, 1).
    /// - Returns: the bounds of the difference.
    package static func newcombe(
        first: (successes: Int, trials: Int),
        second: (successes: Int, trials: Int),
        level: Double
    ) -> (lower: Double, upper: Double) {
        let p1 = first.trials > 0 ? Double(first.successes) / Double(first.trials) : 0
        let p2 = second.trials > 0 ? Double(second.successes) / Double(second.trials) : 0
        let (l1, u1) = wilson(successes: first.successes, trials: first.trials, level: level)
        let (l2, u2) = wilson(successes: second.successes, trials: second.trials, level: level)
        let difference = p1 - p2
        let lower = difference - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        let upper = difference + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
        return (lower, upper)
    }

    /// Katz's log interval for the ratio p₁ / p₂: exp(log r ± z √(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂)).
    /// - Returns: nil when either group has no responders (the ratio or its log is undefined).
    package static func ratio(
        first: (successes: Int, trials: Int),
        second: (successes: Int, trials: Int),
        level: Double
    ) -> (estimate: Double, lower: Double, upper: Double)? {
        guard first.successes > 0, second.successes > 0, first.trials > 0, second.trials > 0 else { return nil }
        let z = NormalDistribution.quantile(0.5 + level / 2)
        let x1 = Double(first.successes)
        let x2 = Double(second.successes)
        let n1 = Double(first.trials)
        let n2 = Double(second.trials)
        let estimate = (x1 / n1) / (x2 / n2)
        let se = (1 / x1 - 1 / n1 + 1 / x2 - 1 / n2).squareRoot()
        return (estimate, estimate * Double.exp(-z * se), estimate * Double.exp(z * se))
    }

    /// The two-sided p-value of the pooled two-proportion z test of p₁ = p₂.
    package static func pValue(first: (successes: Int, trials: Int), second: (successes: Int, trials: Int)) -> Double {
        guard first.trials > 0, second.trials > 0 else { return 1 }
        let n1 = Double(first.trials)
        let n2 = Double(second.trials)
        let pooled = Double(first.successes + second.successes) / (n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
        guard variance > 0 else { return 1 }
        let z = (Double(first.successes) / n1 - Double(second.successes) / n2) / variance.squareRoot()
        return min(1, 2 * NormalDistribution.cdf(-abs(z)))
    }
}
