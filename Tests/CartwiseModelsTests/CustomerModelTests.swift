import RealModule
import Testing

@testable import CartwiseModels

/// The customer models against `lifetimes` 0.11.3 (an independent implementation: scipy's
/// `hyp2f1` and `gammaln`) at fixed parameters, and the fits against closed forms and data
/// drawn from known parameters.
@Suite struct CustomerModelTests {
    struct Reference: Sendable, CustomStringConvertible {
        var x: Double
        var recency: Double
        var age: Double
        var logLikelihood: Double
        var alive: Double
        var weeks39: Double
        var weeks520: Double
        var description: String { "x=\(x) t_x=\(recency) T=\(age)" }
    }

    static let bgnbd = BetaGeometricNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
    static let mbgnbd = BetaGeometricNBD(r: 0.5248, alpha: 6.1831, a: 0.8914, b: 1.614, modified: true)

    /// lifetimes' BetaGeoFitter at the published CDNOW parameters.
    static let bgnbdReference = [
        Reference(
            x: 0,
            recency: 0,
            age: 30,
            logLikelihood: -0.499044762571,
            alive: 1,
            weeks39: 0.23938163234,
            weeks520: 1.69136015611
        ),
        Reference(
            x: 1,
            recency: 2,
            age: 30,
            logLikelihood: -4.44358138619,
            alive: 0.274872586048,
            weeks39: 0.320486669346,
            weeks520: 1.9214118564
        ),
        Reference(
            x: 5,
            recency: 20,
            age: 38,
            logLikelihood: -16.7898790156,
            alive: 0.30926907449,
            weeks39: 1.19712656997,
            weeks520: 6.49150966802
        ),
        Reference(
            x: 2,
            recency: 5,
            age: 70,
            logLikelihood: -7.77898506376,
            alive: 0.0401576434516,
            weeks39: 0.0421469179228,
            weeks520: 0.298686547925
        ),
        Reference(
            x: 40,
            recency: 60,
            age: 61,
            logLikelihood: -63.941398519,
            alive: 0.965639575082,
            weeks39: 19.2242949265,
            weeks520: 110.324185224
        ),
        Reference(
            x: 0,
            recency: 0,
            age: 0.5,
            logLikelihood: -0.0260755928023,
            alive: 1,
            weeks39: 1.1126087659,
            weeks520: 4.73973948293
        ),
    ]

    /// lifetimes' ModifiedBetaGeoFitter at its CDNOW-sample fit.
    static let mbgnbdReference = [
        Reference(
            x: 0,
            recency: 0,
            age: 30,
            logLikelihood: -0.493184667418,
            alive: 0.417383290223,
            weeks39: 0.199537096266,
            weeks520: 1.25695810479
        ),
        Reference(
            x: 1,
            recency: 2,
            age: 30,
            logLikelihood: -4.43746575104,
            alive: 0.233115216475,
            weeks39: 0.309611873297,
            weeks520: 1.68940190372
        ),
        Reference(
            x: 5,
            recency: 20,
            age: 38,
            logLikelihood: -16.6734817758,
            alive: 0.291815992132,
            weeks39: 1.11979438152,
            weeks520: 5.58514194287
        ),
        Reference(
            x: 2,
            recency: 5,
            age: 70,
            logLikelihood: -7.68464752787,
            alive: 0.030928889907,
            weeks39: 0.0351722946788,
            weeks520: 0.231505194179
        ),
        Reference(
            x: 40,
            recency: 60,
            age: 61,
            logLikelihood: -64.4151644606,
            alive: 0.962154577317,
            weeks39: 18.4493009933,
            weeks520: 97.7708438795
        ),
        Reference(
            x: 0,
            recency: 0,
            age: 0.5,
            logLikelihood: -0.0260982896446,
            alive: 0.634800730761,
            weeks39: 1.10686477436,
            weeks520: 4.21532489338
        ),
    ]

    /// lifetimes' ParetoNBDFitter at its CDNOW-sample fit (α < β), then at parameters with α > β:
    /// both branches of A₀.
    static let paretoReference: [(ParetoNBD, Reference)] = {
        let sample = ParetoNBD(r: 0.5533, alpha: 10.5779, s: 0.6063, beta: 11.6696)
        let other = ParetoNBD(r: 0.5533, alpha: 12.5, s: 1.6, beta: 4.2)
        return [
            (
                sample,
                Reference(
                    x: 0,
                    recency: 0,
                    age: 30,
                    logLikelihood: -0.485662773399,
                    alive: 0.357037504428,
                    weeks39: 0.153050206238,
                    weeks520: 0.919509583051
                )
            ),
            (
                sample,
                Reference(
                    x: 1,
                    recency: 2,
                    age: 30,
                    logLikelihood: -4.42722382845,
                    alive: 0.250716639025,
                    weeks39: 0.301715700388,
                    weeks520: 1.81267627586
                )
            ),
            (
                sample,
                Reference(
                    x: 5,
                    recency: 20,
                    age: 38,
                    logLikelihood: -16.6324077656,
                    alive: 0.392423640277,
                    weeks39: 1.45049175646,
                    weeks520: 9.12903197995
                )
            ),
            (
                sample,
                Reference(
                    x: 2,
                    recency: 5,
                    age: 70,
                    logLikelihood: -7.74133316838,
                    alive: 0.0304485863829,
                    weeks39: 0.0332503008132,
                    weeks520: 0.239195889369
                )
            ),
            (
                sample,
                Reference(
                    x: 40,
                    recency: 60,
                    age: 61,
                    logLikelihood: -64.7915399531,
                    alive: 0.988749037696,
                    weeks39: 19.0554077416,
                    weeks520: 132.844861828
                )
            ),
            (
                other,
                Reference(
                    x: 0,
                    recency: 0,
                    age: 30,
                    logLikelihood: -0.142561394081,
                    alive: 0.0204457683965,
                    weeks39: 0.00556146237521,
                    weeks520: 0.0123194878947
                )
            ),
            (
                other,
                Reference(
                    x: 1,
                    recency: 2,
                    age: 30,
                    logLikelihood: -4.3736060728,
                    alive: 0.018310260951,
                    weeks39: 0.0139821762514,
                    weeks520: 0.0309726542139
                )
            ),
            (
                other,
                Reference(
                    x: 5,
                    recency: 20,
                    age: 38,
                    logLikelihood: -18.3780856642,
                    alive: 0.119263742664,
                    weeks39: 0.299571767718,
                    weeks520: 0.727355096764
                )
            ),
            (
                other,
                Reference(
                    x: 2,
                    recency: 5,
                    age: 70,
                    logLikelihood: -7.98578678624,
                    alive: 0.00132004946958,
                    weeks39: 0.00113106249292,
                    weeks520: 0.00360230053857
                )
            ),
            (
                other,
                Reference(
                    x: 40,
                    recency: 60,
                    age: 61,
                    logLikelihood: -69.0310412903,
                    alive: 0.967564695835,
                    weeks39: 14.2248564598,
                    weeks520: 42.4634120282
                )
            ),
        ]
    }()

    @Test func paretoNBDMatchesLifetimes() {
        for (model, reference) in Self.paretoReference {
            let customer = RepeatPurchases(repeats: reference.x, recency: reference.recency, age: reference.age)
            #expect(Self.close(model.logLikelihood(customer), reference.logLikelihood), "\(reference)")
            #expect(Self.close(model.probabilityAlive(customer), reference.alive), "\(reference)")
            #expect(Self.close(model.expectedPurchases(inWeeks: 39, customer), reference.weeks39), "\(reference)")
            #expect(Self.close(model.expectedPurchases(inWeeks: 520, customer), reference.weeks520), "\(reference)")
        }
    }

    private static func close(_ value: Double, _ expected: Double, relative: Double = 1e-7) -> Bool {
        abs(value - expected) <= relative * max(1, abs(expected))
    }

    @Test(arguments: bgnbdReference)
    func bgnbdMatchesLifetimes(_ reference: Reference) {
        let customer = RepeatPurchases(repeats: reference.x, recency: reference.recency, age: reference.age)
        let model = Self.bgnbd
        #expect(Self.close(model.logLikelihood(customer), reference.logLikelihood))
        #expect(Self.close(model.probabilityAlive(customer), reference.alive))
        #expect(Self.close(model.expectedPurchases(inWeeks: 39, customer), reference.weeks39))
        #expect(Self.close(model.expectedPurchases(inWeeks: 520, customer), reference.weeks520))
    }

    @Test(arguments: mbgnbdReference)
    func mbgnbdMatchesLifetimes(_ reference: Reference) {
        let customer = RepeatPurchases(repeats: reference.x, recency: reference.recency, age: reference.age)
        let model = Self.mbgnbd
        #expect(Self.close(model.logLikelihood(customer), reference.logLikelihood))
        #expect(Self.close(model.probabilityAlive(customer), reference.alive))
        #expect(Self.close(model.expectedPurchases(inWeeks: 39, customer), reference.weeks39))
        #expect(Self.close(model.expectedPurchases(inWeeks: 520, customer), reference.weeks520))
    }

    /// A heavy buyer: the plain series would reach 2^x; the transformed one stays finite and
    /// the expectation stays below the purchase rate times the horizon.
    @Test func aThousandPurchasesStayFinite() {
        let customer = RepeatPurchases(repeats: 1_000, recency: 520, age: 521)
        let expected = Self.bgnbd.expectedPurchases(inWeeks: 520, customer)
        #expect(expected.isFinite && expected > 500 && expected < 1_200)
        #expect(Self.bgnbd.probabilityAlive(customer) > 0.99)
    }

    /// A shop where hardly anyone lapses fits a and b in the thousands (the demo store's fit):
    /// the series is then summed in its plain form, and still matches lifetimes.
    @Test func nearlyConstantDropOutMatchesLifetimes() {
        let model = BetaGeometricNBD(r: 0.0762, alpha: 1.8325, a: 26.27, b: 160_422.8)
        let cases: [(RepeatPurchases, Double, Double)] = [
            (RepeatPurchases(repeats: 0, recency: 0, age: 30), 1, 0.124458645866),
            (RepeatPurchases(repeats: 3, recency: 20, age: 40), 0.998791034457, 3.81767199757),
            (RepeatPurchases(repeats: 60, recency: 90, age: 95), 0.996059437252, 32.0482921949),
        ]
        for (customer, alive, expected) in cases {
            #expect(Self.close(model.probabilityAlive(customer), alive, relative: 1e-9))
            #expect(Self.close(model.expectedPurchases(inWeeks: 52, customer), expected, relative: 1e-7))
        }
    }

    @Test func gammaGammaMatchesLifetimes() {
        let model = GammaGammaSpend(p: 6.25, q: 3.74, v: 15.44)
        let cases: [(Double, Double, Double, Double)] = [
            (1, 20, 24.638487208, -3.59419649295),
            (5, 35.5, 35.4773462783, -4.06440265484),
            (12, 100, 97.7167481348, -7.15272647649),
        ]
        for (x, m, expected, logLikelihood) in cases {
            let spend = GammaGammaSpend.Spend(purchases: x, average: m)
            #expect(Self.close(model.expectedAverage(spend), expected))
            #expect(Self.close(model.logLikelihood(spend), logLikelihood))
        }
        // No repeat purchase: the cohort's mean, p v / (q - 1).
        #expect(Self.close(model.expectedAverage(.init(purchases: 0, average: 0)), 6.25 * 15.44 / 2.74))
    }

    /// Customers drawn from BG/NBD itself at known parameters: the fit recovers them.
    @Test func bgnbdFitRecoversTheParametersItWasDrawnFrom() {
        var random = SeededRandom(seed: 7)
        let truth = BetaGeometricNBD(r: 0.8, alpha: 6, a: 0.9, b: 3)
        var customers: [RepeatPurchases] = []
        for _ in 0..<20_000 {
            // Rate ~ Gamma(r, α) via the sum of exponentials is not available for fractional r;
            // Marsaglia-Tsang through a normal would be; a gamma(0.8) is gamma(1.8) · U^(1/0.8).
            let rate = Self.gamma(shape: truth.r, random: &random) / truth.alpha
            let dropout = Self.beta(truth.a, truth.b, random: &random)
            let age = 20 + random.unit() * 40
            var time = 0.0
            var last = 0.0
            var count = 0.0
            while true {
                time += -Double.log(1 - random.unit()) / rate
                if time > age { break }
                count += 1
                last = time
                if random.unit() < dropout { break }
            }
            customers.append(RepeatPurchases(repeats: count, recency: last, age: age))
        }
        let fitted = BetaGeometricNBD.fit(WeightedSummaries(customers))
        #expect(fitted != nil)
        guard let fitted else { return }
        #expect(abs(fitted.r - truth.r) / truth.r < 0.1)
        #expect(abs(fitted.alpha - truth.alpha) / truth.alpha < 0.15)
        #expect(abs(fitted.a - truth.a) / truth.a < 0.2)
        #expect(abs(fitted.b - truth.b) / truth.b < 0.3)
        // Nothing learnable without repeat purchases.
        #expect(BetaGeometricNBD.fit(WeightedSummaries([RepeatPurchases(repeats: 0, recency: 0, age: 3)])) == nil)
    }

    /// The discounted value equals the undiscounted one at a rate of 0, falls as the rate rises,
    /// and a one-month horizon discounts its spend by exactly one month.
    @Test func lifetimeValueDiscountsMonthByMonth() {
        let customer = RepeatPurchases(repeats: 3, recency: 20, age: 30)
        let average = GammaGammaSpend.Spend(purchases: 3, average: 40)
        let spend = GammaGammaSpend(p: 6.25, q: 3.74, v: 15.44)
        func value(_ weeks: Double, _ rate: Double) -> LifetimeValue {
            LifetimeValue(
                purchases: Self.bgnbd,
                spend: spend,
                customer: customer,
                average: average,
                weeks: weeks,
                monthlyDiscount: rate
            )
        }
        let flat = value(52, 0)
        #expect(Self.close(flat.discounted, flat.spend, relative: 1e-12))
        #expect(value(52, 0.01).discounted < flat.discounted)
        #expect(value(52, 0.05).discounted < value(52, 0.01).discounted)
        let month = value(LifetimeValue.weeksPerMonth, 0.02)
        #expect(Self.close(month.discounted, month.spend / 1.02, relative: 1e-12))
        // lifetimes' CLV for 12 months (W, 1 %) steps at 4.345 weeks: the same sum.
        var reference = 0.0
        for step in 1...12 {
            let end = Double(step) * LifetimeValue.weeksPerMonth
            let increment =
                Self.bgnbd.expectedPurchases(inWeeks: end, customer)
                - Self.bgnbd.expectedPurchases(inWeeks: end - LifetimeValue.weeksPerMonth, customer)
            reference += spend.expectedAverage(average) * increment / Double.pow(1.01, Double(step))
        }
        #expect(Self.close(value(12 * LifetimeValue.weeksPerMonth, 0.01).discounted, reference, relative: 1e-12))
    }

    /// Three well-separated blobs: k-means finds them, its inertia is the within-blob scatter,
    /// and the silhouette prefers 3 to 2 or 4.
    @Test func kMeansFindsSeparatedClustersAndSilhouettePicksTheirCount() {
        var random = SeededRandom(seed: 3)
        var points: [Double] = []
        let centres: [(Double, Double)] = [(0, 0), (10, 0), (0, 10)]
        for index in 0..<600 {
            let centre = centres[index % 3]
            points += [centre.0 + random.unit() - 0.5, centre.1 + random.unit() - 0.5]
        }
        let three = KMeans.fit(points: points, dimensions: 2, k: 3, restarts: 4, seed: 1)
        var groups = Set<[Int32]>()
        for blob in 0..<3 { groups.insert(Array(Set(stride(from: blob, to: 600, by: 3).map { three.labels[$0] }))) }
        #expect(groups.count == 3 && groups.allSatisfy { $0.count == 1 })
        // Uniform on a unit square has variance 1/12 per coordinate.
        #expect(abs(three.inertia / 600 - 2.0 / 12) < 0.03)
        let scores = (2...4).map { k in
            let fit = KMeans.fit(points: points, dimensions: 2, k: k, restarts: 4, seed: 1)
            return Silhouette.score(points: points, dimensions: 2, labels: fit.labels, k: k)
        }
        #expect(scores[1] > scores[0] && scores[1] > scores[2])
        #expect(scores[1] > 0.9)
        // The same seed gives the same clustering.
        #expect(KMeans.fit(points: points, dimensions: 2, k: 3, restarts: 4, seed: 1) == three)
    }

    /// Two points each side of 0 in one dimension: each point's silhouette by hand.
    @Test func silhouetteMatchesItsDefinition() {
        let points: [Double] = [0, 1, 10, 12]
        let labels: [Int32] = [0, 0, 1, 1]
        // a = 1, 1, 2, 2; b = 11, 10, 9.5, 11.5 (mean distance to the other cluster).
        let each: [Double] = [(11.0 - 1) / 11, (10.0 - 1) / 10, (9.5 - 2) / 9.5, (11.5 - 2) / 11.5]
        let expected = each.reduce(0, +) / 4
        #expect(
            Self.close(Silhouette.score(points: points, dimensions: 1, labels: labels, k: 2), expected, relative: 1e-12)
        )
    }

    private static func gamma(shape: Double, random: inout SeededRandom) -> Double {
        if shape < 1 {
            return gamma(shape: shape + 1, random: &random) * Double.pow(random.unit(), 1 / shape)
        }
        // Marsaglia and Tsang (2000).
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var normal = 0.0
            var v = 0.0
            repeat {
                let u1 = max(random.unit(), 1e-300)
                let u2 = random.unit()
                normal = (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * .pi * u2)
                v = 1 + c * normal
            } while v <= 0
            v = v * v * v
            let u = random.unit()
            if Double.log(max(u, 1e-300)) < 0.5 * normal * normal + d - d * v + d * Double.log(v) { return d * v }
        }
    }

    private static func beta(_ a: Double, _ b: Double, random: inout SeededRandom) -> Double {
        let x = gamma(shape: a, random: &random)
        let y = gamma(shape: b, random: &random)
        return x / (x + y)
    }
}
