/// Running sums of one group's per-customer amounts (revenue in a campaign's window), and the
/// difference of two groups' means with Welch's standard error.
///
/// Revenue per customer is mostly zeros with a long tail, so no small-sample formula is exact;
/// with the hundreds of customers per arm a readout has, the normal approximation to Welch's
/// statistic is what analysts use (and what the A/A test checks for coverage).
package struct MeanComparison: Sendable, Equatable {
    package private(set) var count = 0
    package private(set) var sum = 0.0
    package private(set) var sumOfSquares = 0.0

    package init() {}

    package mutating func add(_ amount: Double) {
        count += 1
        sum += amount
        sumOfSquares += amount * amount
    }

    package var mean: Double { count > 0 ? sum / Double(count) : 0 }

    /// The sample variance (n − 1 in the denominator); 0 below two values.
    package var variance: Double {
        guard count > 1 else { return 0 }
        let n = Double(count)
        return max(0, (sumOfSquares - sum * sum / n) / (n - 1))
    }

    /// This group's mean minus `other`'s, with a normal interval on Welch's standard error.
    /// - Parameters:
    ///   - other: the control group.
    ///   - level: the confidence level, in (0, 1).
    /// - Returns: the difference and its bounds (the difference itself when either group is empty).
    package func difference(
        from other: MeanComparison,
        level: Double
    ) -> (
        estimate: Double, lower: Double, upper: Double
    ) {
        let estimate = mean - other.mean
        guard count > 0, other.count > 0 else { return (estimate, estimate, estimate) }
        let se = (variance / Double(count) + other.variance / Double(other.count)).squareRoot()
        let z = NormalDistribution.quantile(0.5 + level / 2)
        return (estimate, estimate - z * se, estimate + z * se)
    }
}

extension MeanComparison {
    /// Adds another group's sums (pooling arms).
    package mutating func merge(_ other: MeanComparison) {
        count += other.count
        sum += other.sum
        sumOfSquares += other.sumOfSquares
    }
}
