import Testing

@testable import CartwiseModels

/// Counts, the Croston family, short histories and the properties a planner takes for granted.
/// Reference values of the count distributions are scipy.stats 1.x (`nbinom(2, 0.4)`,
/// `poisson(2.5)`, `poisson(900)`).
struct DemandDistributionTests {
    @Test func negativeBinomialMatchesScipy() {
        // nbinom(n = 2, p = 0.4): mean 3, variance 7.5.
        let nb = CountDistribution(mean: 3, variance: 7.5)
        for (k, expected) in [(0, 0.16), (1, 0.352), (3, 0.66304), (7, 0.929456128)] {
            #expect(abs(nb.cdf(k) - expected) < 1e-9, "cdf(\(k))")
        }
        for (p, expected) in [(0.1, 0.0), (0.5, 2.0), (0.9, 7.0), (0.99, 12.0)] {
            #expect(nb.quantile(p) == expected, "ppf(\(p))")
        }
        #expect(abs(nb.expectedShortfall(stock: 5) - 0.46656) < 1e-9)
        // A variance at the mean is Poisson.
        let poisson = CountDistribution(mean: 2.5, variance: 2.5)
        for (k, expected) in [(0, 0.082084998624), (2, 0.543813115883), (4, 0.891178018914), (8, 0.998859747167)] {
            #expect(abs(poisson.cdf(k) - expected) < 1e-9, "poisson cdf(\(k))")
        }
        for (p, expected) in [(0.1, 1.0), (0.5, 2.0), (0.9, 5.0), (0.99, 7.0)] {
            #expect(poisson.quantile(p) == expected)
        }
        // P(X = 0) underflows a Double: the normal approximation, within a unit.
        let large = CountDistribution(mean: 900, variance: 900)
        #expect(abs(large.cdf(950) - 0.9528809819798009) < 0.005)
        #expect(abs(large.quantile(0.95) - 950) <= 1)
    }

    /// A mean a billion times below the variance once lost every digit of P(X = 0) and put a
    /// never-selling item's reorder point at 116.
    @Test func aTinyMeanHasAllItsMassAtZero() {
        let nearlyNothing = CountDistribution(mean: 1e-15, variance: 0.07)
        #expect(nearlyNothing.cdf(0) > 0.999_999)
        #expect(nearlyNothing.quantile(0.99) == 0)
        #expect(nearlyNothing.continuousQuantile(0.95) < 0)
    }

    @Test func continuousQuantileRisesStrictlyAndRoundsUpToTheQuantile() {
        for distribution in [
            CountDistribution(mean: 0.02, variance: 0.028), CountDistribution(mean: 3, variance: 7.5),
            CountDistribution(mean: 40, variance: 41),
        ] {
            var previous = -Double.infinity
            for p in stride(from: 0.01, through: 0.999, by: 0.01) {
                let value = distribution.continuousQuantile(p)
                #expect(value > previous, "mean \(distribution.mean) p \(p)")
                #expect(value.rounded(.up) == distribution.quantile(p) || abs(value - value.rounded()) < 1e-9)
                previous = value
            }
        }
    }

    /// The closed-form initial level is the least-squares one: no value on a fine grid does
    /// better.
    @Test func simpleSmoothingFitsItsInitialLevelByLeastSquares() {
        let x: [Double] = [5, 3, 6, 2, 7, 4, 4, 5, 9, 3]
        let fit = SimpleSmoothing.fit(x, alpha: 0.3)
        func sse(_ l0: Double) -> Double {
            var level = l0
            var total = 0.0
            for value in x {
                total += (value - level) * (value - level)
                level += 0.3 * (value - level)
            }
            return total
        }
        for l0 in stride(from: 0.0, through: 10, by: 0.01) {
            #expect(sse(fit.initialLevel) <= sse(l0) + 1e-9)
        }
        #expect(abs(fit.meanSquaredError - sse(fit.initialLevel) / 10) < 1e-12)
    }

    /// Four units every fourth period: every method forecasts one a period; aggregation sees
    /// constant buckets.
    @Test func crostonFamilyOnRegularDemand() throws {
        let y: [Double] = (0..<80).map { $0 % 4 == 3 ? 4 : 0 }
        #expect(DemandPattern.classify(y) == .intermittent)
        for method in IntermittentModel.Method.allCases {
            let model = try #require(IntermittentModel.fit(y, method: method))
            // SBA's bias correction takes alpha / 2 off a level that is exact.
            let tolerance = method == .sba ? 0.26 : 0.05
            #expect(abs(model.level - 1) < tolerance, "\(method): \(model.level)")
        }
        let forecast = DemandForecaster.forecast(y, period: 7, horizon: 5)
        guard case .intermittent = forecast.fitted else {
            Issue.record("not Croston-type: \(forecast.model)")
            return
        }
        #expect(forecast.counts)
    }

    /// One sale long ago, then nothing: TSB decays towards zero; SBA's interval smoothing
    /// would hold the one sale's size forever. The chooser must not pick a method that
    /// forecasts the sale again.
    @Test func anItemThatStoppedSellingIsForecastNearZero() throws {
        var y = [Double](repeating: 0, count: 400)
        y[0] = 1
        y[30] = 2
        let tsb = try #require(IntermittentModel.fit(y, method: .tsb))
        #expect(tsb.level < 0.01)
        let forecast = DemandForecaster.forecast(y, period: 7, horizon: 14)
        #expect(forecast.mean[0] < 0.01, "\(forecast.model) \(forecast.mean[0])")
        var request = InventoryPolicy.Request(leadTime: 7)
        request.serviceLevel = 0.95
        let policy = InventoryPolicy(forecast: forecast, request: request)
        #expect(policy.reorderPoint < 2)
        #expect(policy.reorderPointUnits < 2)
    }

    /// An item bought once: the pool's rate moved by its own sale, a wide interval, and the
    /// answer says the history is insufficient.
    @Test func aShortHistoryGetsThePooledRateAndAWideInterval() {
        let pool = DemandPool(shape: 2, rate: 4, dispersion: 1.5, items: 100)  // 0.5 a day
        let once = DemandForecaster.forecast([2], period: 7, horizon: 14, pool: pool)
        #expect(once.insufficientHistory)
        #expect(once.model == "Pooled")
        #expect(abs(once.mean[0] - 4.0 / 5.0) < 1e-12)  // (2 + 2) / (4 + 1)
        let interval = once.interval(step: 0, level: 95)
        #expect(interval.upper - interval.lower >= 3)
        // Uploaded (no pool): the mean, with a spread of at least the mean.
        let uploaded = DemandForecaster.forecast([100], period: 12, horizon: 3)
        #expect(uploaded.insufficientHistory && uploaded.model == "Mean")
        let bounds = uploaded.interval(step: 0, level: 95)
        #expect(bounds.lower < 5 && bounds.upper > 250)
        // Safety stock is not zero at the usual service levels: the spread is honest. (At 0.6 a
        // skewed count distribution's quantile is below its mean: negative safety stock.)
        for level in [0.9, 0.99] {
            var request = InventoryPolicy.Request(leadTime: 3)
            request.serviceLevel = level
            #expect(InventoryPolicy(forecast: once, request: request).safetyStock > 0)
            #expect(InventoryPolicy(forecast: uploaded, request: request).safetyStock > 0)
        }
    }

    @Test func thePoolRecoversTheShopsRates() {
        var random = SeededRandom(seed: 9)
        // Rates 0.5 a day on average with sd 0.25: a gamma of shape 4 has those moments.
        let histories: [[Double]] = (0..<400).map { _ in
            let rate = max(0.5 + 0.25 * random.normal(), 0.01)
            return (0..<200).map { _ in Double(random.poisson(rate)) }
        }
        let pool = DemandPool.estimate(histories)
        #expect(abs(pool.shape / pool.rate - 0.5) < 0.03)
        #expect(abs(pool.shape - 4) < 1.2)
        #expect(abs(pool.dispersion - 1) < 0.2)
        #expect(DemandPool.estimate([[1, 2]]) == .vague)
    }

    /// The scale never vanishes; for whole units it is at least one unit per holdout.
    @Test func backtestScaleCannotVanish() throws {
        var train = [Double](repeating: 0, count: 540)
        train[10] = 1
        let actual = [Double](repeating: 0, count: 26) + [2, 0]
        let forecast = [Double](repeating: 0.002, count: 28)
        let raw = try #require(Accuracy.score(train: train, actual: actual, forecast: forecast, period: 7).mase)
        #expect(raw > 10)
        let floored = Accuracy.score(train: train, actual: actual, forecast: forecast, period: 7, wholeUnits: true)
        #expect(try #require(floored.mase) < 10)
        #expect(floored.wape != nil)
        let constant = Accuracy.score(train: [5, 5, 5, 5], actual: [5, 6], forecast: [5, 5], period: 1)
        #expect(abs(try #require(constant.mase) - 0.1) < 1e-12)  // mean |error| 0.5 over the level 5
        #expect(Accuracy.score(train: [1, 2], actual: [0, 0], forecast: [1, 1], period: 1).wape == nil)
    }
}
