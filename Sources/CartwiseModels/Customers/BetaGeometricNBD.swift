import RealModule

/// The BG/NBD model of repeat buying (Fader, Hardie and Lee 2005, "Counting your customers the
/// easy way"): while alive, a customer buys as a Poisson process with a gamma-distributed rate
/// (shape r, rate α); after each purchase they drop out with a beta-distributed probability
/// (a, b). Time is in weeks.
///
/// It is the usual answer to "is this customer still a customer": it turns recency and
/// frequency into a probability of being alive and an expected number of purchases, and its
/// four parameters are fitted by maximum likelihood on the whole cohort.
///
/// `modified` is the MBG/NBD of Batislam, Denizel and Filiztekin (2007): a customer may also
/// drop out right after the first purchase. Plain BG/NBD says a one-time buyer from two years
/// ago is alive for certain, which no marketer believes; MBG/NBD does not.
package struct BetaGeometricNBD: Sendable, Equatable {
    package var r: Double
    package var alpha: Double
    package var a: Double
    package var b: Double
    package var modified: Bool

    package init(r: Double, alpha: Double, a: Double, b: Double, modified: Bool = false) {
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
        self.modified = modified
    }

    /// The log odds of having dropped out against being alive (the second term of the
    /// likelihood over the first), or nil when dropping out is impossible (BG/NBD, x = 0).
    private func logDropOdds(_ customer: RepeatPurchases) -> Double? {
        let x = customer.repeats
        guard modified || x > 0 else { return nil }
        let shape = modified ? b + x : b + x - 1
        return Double.log(a) - Double.log(shape)
            + (r + x) * (Double.log(alpha + customer.age) - Double.log(alpha + customer.recency))
    }

    /// The log-likelihood of one customer's history (equation 6 of the paper, in logs; the
    /// MBG/NBD's as `lifetimes` writes it).
    /// - Parameter customer: the summary.
    /// - Returns: ln L(r, α, a, b | x, t_x, T).
    package func logLikelihood(_ customer: RepeatPurchases) -> Double {
        // The fit's own sum over a cohort of one, so the tests of this value test the fit's.
        CohortLikelihood(WeightedSummaries([customer])).mean(self)
    }

    /// The probability that a customer with this history is still alive at the end of it.
    /// - Parameter customer: the summary.
    /// - Returns: P(alive | x, t_x, T); for BG/NBD 1 for a customer who has not bought again.
    package func probabilityAlive(_ customer: RepeatPurchases) -> Double {
        guard let odds = logDropOdds(customer) else { return 1 }
        return 1 / (1 + Double.exp(odds))
    }

    /// The expected number of repeat purchases in the next `weeks` (equation 10).
    /// - Parameters:
    ///   - weeks: the horizon, at least 0.
    ///   - customer: the summary.
    /// - Returns: E[X(T, T + t) | x, t_x, T].
    package func expectedPurchases(inWeeks weeks: Double, _ customer: RepeatPurchases) -> Double {
        guard weeks > 0 else { return 0 }
        let x = customer.repeats
        let z = weeks / (alpha + customer.age + weeks)
        // MBG/NBD is BG/NBD's expectation with b + 1 in the hypergeometric term and its factor.
        let shape = modified ? b + 1 : b
        let scaled = Hypergeometric.scaledBGNBDTerm(r: r, a: a, b: shape, x: x, z: z)
        let numerator = (a + shape + x - 1) / (a - 1) * (1 - scaled)
        guard let odds = logDropOdds(customer) else { return numerator }
        return numerator / (1 + Double.exp(odds))
    }

    /// The maximum-likelihood fit over a cohort, searched in the logs of the parameters from 1,
    /// 1, 1, 1 as `lifetimes` starts.
    /// - Parameters:
    ///   - customers: the cohort, each distinct history once with its count.
    ///   - modified: MBG/NBD rather than BG/NBD.
    /// - Returns: the parameters, or nil for a cohort with no repeat purchase at all (the
    ///   drop-out process is then not identified).
    package static func fit(
        _ customers: WeightedSummaries<RepeatPurchases>,
        modified: Bool = false
    ) -> BetaGeometricNBD? {
        guard customers.keys.contains(where: { $0.repeats > 0 }) else { return nil }
        let likelihood = CohortLikelihood(customers)
        func model(_ logs: [Double]) -> BetaGeometricNBD {
            BetaGeometricNBD(
                r: Double.exp(logs[0]),
                alpha: Double.exp(logs[1]),
                a: Double.exp(logs[2]),
                b: Double.exp(logs[3]),
                modified: modified
            )
        }
        let best = LogParameterSearch.minimize(dimensions: 4) { logs in -likelihood.mean(model(logs)) }
        guard best.value.isFinite else { return nil }
        return model(best.logs)
    }
}

/// The cohort's mean log-likelihood, arranged for the thousands of evaluations a fit makes: the
/// gamma-function terms depend on x alone, so they are computed once per distinct x (a few
/// dozen) rather than once per distinct history (thousands).
private struct CohortLikelihood {
    var repeats: [Double] = []
    /// Each history's position in `repeats`.
    var repeatIndex: [Int] = []
    /// Distinct recencies and ages (in days they take a few hundred values), and each
    /// history's position among them: their logarithms are taken once per evaluation.
    var recencies: [Double] = []
    var ages: [Double] = []
    var recencyIndex: [Int] = []
    var ageIndex: [Int] = []
    var weights: [Double] = []
    var total = 0.0

    init(_ customers: WeightedSummaries<RepeatPurchases>) {
        func position(_ value: Double, _ values: inout [Double], _ positions: inout [Double: Int]) -> Int {
            if let known = positions[value] { return known }
            positions[value] = values.count
            values.append(value)
            return values.count - 1
        }
        var repeatPositions: [Double: Int] = [:]
        var recencyPositions: [Double: Int] = [:]
        var agePositions: [Double: Int] = [:]
        for (customer, weight) in zip(customers.keys, customers.weights) {
            repeatIndex.append(position(customer.repeats, &repeats, &repeatPositions))
            recencyIndex.append(position(customer.recency, &recencies, &recencyPositions))
            ageIndex.append(position(customer.age, &ages, &agePositions))
            weights.append(weight)
            total += weight
        }
    }

    func mean(_ model: BetaGeometricNBD) -> Double {
        let (r, alpha, a, b) = (model.r, model.alpha, model.a, model.b)
        let shift = model.modified ? 1.0 : 0.0
        let base = -Double.logGamma(r) + r * Double.log(alpha) + Double.logGamma(a + b) - Double.logGamma(b)
        let logA = Double.log(a)
        var common = [Double](repeating: 0, count: repeats.count)
        var logShape = common
        for (position, x) in repeats.enumerated() {
            common[position] =
                base + Double.logGamma(r + x) + Double.logGamma(b + x + shift) - Double.logGamma(a + b + x + shift)
            let shape = model.modified ? b + x : b + x - 1
            logShape[position] = shape > 0 ? Double.log(shape) : .nan
        }
        let logAges = ages.map { Double.log(alpha + $0) }
        let logRecencies = recencies.map { Double.log(alpha + $0) }
        var sum = 0.0
        for index in weights.indices {
            let position = repeatIndex[index]
            let x = repeats[position]
            let logAge = logAges[ageIndex[index]]
            var value = common[position] - (r + x) * logAge
            if model.modified || x > 0 {
                let odds = logA - logShape[position] + (r + x) * (logAge - logRecencies[recencyIndex[index]])
                value +=
                    odds > 0 ? odds + Double.log(onePlus: Double.exp(-odds)) : Double.log(onePlus: Double.exp(odds))
            }
            sum += weights[index] * value
        }
        return sum / total
    }
}
