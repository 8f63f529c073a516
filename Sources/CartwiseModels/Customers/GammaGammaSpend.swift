import RealModule

/// The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005, "RFM and CLV"):
/// each purchase's value is gamma with shape p around the customer's own mean, whose rate is
/// itself gamma (q, v) across customers. A customer's expected spend per purchase is then their
/// observed average shrunk towards the cohort's mean, the more the fewer purchases it rests on.
///
/// It assumes spend and purchase frequency are independent, which is why it is paired with
/// BG/NBD rather than fitted into it; it reads only repeat purchases, as the papers do.
package struct GammaGammaSpend: Sendable, Equatable {
    package var p: Double
    package var q: Double
    package var v: Double

    package init(p: Double, q: Double, v: Double) {
        self.p = p
        self.q = q
        self.v = v
    }

    /// One customer's average spend per repeat purchase and how many it averages.
    package struct Spend: Sendable, Hashable {
        package var purchases: Double
        package var average: Double

        package init(purchases: Double, average: Double) {
            self.purchases = purchases
            self.average = average
        }
    }

    /// The log-likelihood of one customer's average spend (without the terms free of the
    /// parameters that `lifetimes` also leaves out, so the values compare).
    /// - Parameter spend: x > 0 purchases averaging m > 0.
    /// - Returns: ln L(p, q, v | x, m).
    package func logLikelihood(_ spend: Spend) -> Double {
        // The fit's own sum over a cohort of one, so the tests of this value test the fit's.
        SpendLikelihood(WeightedSummaries([spend])).mean(self)
    }

    /// The cohort's mean spend per purchase, E[Z] = p v / (q - 1); infinite for q ≤ 1.
    package var populationMean: Double { q > 1 ? p * v / (q - 1) : .infinity }

    /// The expected spend per purchase of a customer (equation 5): a weighted mean of the
    /// cohort's mean and their own average.
    /// - Parameter spend: their repeat purchases and average; none gives the cohort's mean.
    /// - Returns: E[Z | p, q, v, x, m].
    package func expectedAverage(_ spend: Spend) -> Double {
        guard spend.purchases > 0, spend.average > 0 else { return populationMean }
        let px = p * spend.purchases
        let weight = px / (px + q - 1)
        return (1 - weight) * populationMean + weight * spend.average
    }

    /// The maximum-likelihood fit over the customers with repeat purchases and a positive
    /// average.
    /// - Parameter customers: each distinct (x, m) once with its count.
    /// - Returns: the parameters, or nil when no customer qualifies or the fit has q ≤ 1 (no
    ///   finite mean: the spends are too dispersed to average).
    package static func fit(_ customers: WeightedSummaries<Spend>) -> GammaGammaSpend? {
        let likelihood = SpendLikelihood(customers)
        guard likelihood.total > 0 else { return nil }
        let best = LogParameterSearch.minimize(dimensions: 3) { logs in
            -likelihood.mean(GammaGammaSpend(p: Double.exp(logs[0]), q: Double.exp(logs[1]), v: Double.exp(logs[2])))
        }
        let model = GammaGammaSpend(
            p: Double.exp(best.logs[0]),
            q: Double.exp(best.logs[1]),
            v: Double.exp(best.logs[2])
        )
        guard best.value.isFinite, model.q > 1 else { return nil }
        return model
    }
}

/// The mean log-likelihood of the customers with repeat purchases and a positive average,
/// arranged for the thousands of evaluations a fit makes: per customer, what does not depend on
/// the parameters; per distinct x, the gamma terms. An evaluation then takes one logarithm per
/// customer.
private struct SpendLikelihood {
    var xs: [Double] = []
    var xIndex: [Int] = []
    var logM: [Double] = []
    var logX: [Double] = []
    var values: [(x: Double, m: Double)] = []
    var weights: [Double] = []
    var total = 0.0

    init(_ customers: WeightedSummaries<GammaGammaSpend.Spend>) {
        var positions: [Double: Int] = [:]
        for (spend, weight) in zip(customers.keys, customers.weights) where spend.purchases > 0 && spend.average > 0 {
            let position = positions[spend.purchases] ?? xs.count
            if position == xs.count {
                positions[spend.purchases] = position
                xs.append(spend.purchases)
            }
            xIndex.append(position)
            logM.append(Double.log(spend.average))
            logX.append(Double.log(spend.purchases))
            values.append((spend.purchases, spend.average))
            weights.append(weight)
            total += weight
        }
    }

    func mean(_ model: GammaGammaSpend) -> Double {
        let (p, q, v) = (model.p, model.q, model.v)
        let base = -Double.logGamma(q) + q * Double.log(v)
        let gammas = xs.map { Double.logGamma(p * $0 + q) - Double.logGamma(p * $0) + base }
        var sum = 0.0
        for index in values.indices {
            let (x, m) = values[index]
            let px = p * x
            sum +=
                weights[index]
                * (gammas[xIndex[index]] + (px - 1) * logM[index] + px * logX[index] - (px + q) * Double.log(x * m + v))
        }
        return sum / total
    }
}
