import Testing

@testable import CartwiseModels

/// What a planner takes for granted, checked on every kind of model and on random series: an
/// interval never narrows as its level rises, stock rises strictly with the service level, the
/// spread of lead-time demand does not depend on the service level, and orders are whole units.
struct ForecastPropertyTests {
    /// Random series of every shape the forecaster sees: sparse and lumpy counts, busy counts
    /// with a weekly cycle, a series bought once, continuous monthly values with trend and season.
    static func series(_ seed: UInt64) -> (y: [Double], period: Int) {
        var random = SeededRandom(seed: seed)
        let n = 5 + Int(random.next() % 300)
        switch seed % 5 {
        case 0:
            return ((0..<n).map { _ in random.unit() < 0.15 ? Double(1 + random.poisson(1)) : 0 }, 7)
        case 1:
            return ((0..<n).map { _ in random.unit() < 0.3 ? Double(random.poisson(8)) : 0 }, 7)
        case 2:
            return ((0..<n).map { t in Double(random.poisson(6 * (t % 7 >= 5 ? 1.5 : 1))) }, 7)
        case 3:
            return ([Double(1 + random.next() % 3)] + [Double](repeating: 0, count: Int(random.next() % 3)), 7)
        default:
            var y: [Double] = []
            for t in 0..<max(n / 3, 3) {
                let trend: Double = 500 + 3 * Double(t)
                let season: Double = 1 + 0.2 * Double((t % 12) - 6) / 6
                let noise: Double = 1 + 0.05 * random.normal()
                y.append(trend * season * noise)
            }
            return (y, 12)
        }
    }

    static let calibrations: [IntervalCalibration] = {
        var random = SeededRandom(seed: 77)
        let errors = (0..<2_000).map { _ in abs(1.4 * random.normal()) }
        let counts = (0..<2_000).map { _ -> (below: Double, atOrBelow: Double) in
            let below = 0.95 * random.unit()
            return (below, min(1, below + 0.05 + 0.2 * random.unit()))
        }
        return [.none, IntervalCalibration(errors: errors, counts: counts, series: 200)]
    }()

    @Test(arguments: 0..<40)
    func intervalsNeverNarrowAsTheLevelRises(seed: Int) {
        let (y, period) = Self.series(UInt64(seed))
        let forecast = DemandForecaster.forecast(y, period: period, horizon: 10, backtest: 4)
        let constant = Set(y).count == 1
        for calibration in Self.calibrations {
            for step in 0..<10 {
                var previous = -1.0
                for level in [10.0, 30, 50, 60, 80, 90, 95, 99, 99.9] {
                    let bounds = forecast.interval(step: step, level: level, calibration: calibration)
                    let width = bounds.upper - bounds.lower
                    #expect(width >= previous - 1e-9, "\(forecast.model) step \(step) level \(level)")
                    #expect(bounds.lower <= forecast.mean[step] + 1e-9 && bounds.upper >= forecast.mean[step] - 1e-9)
                    if !constant { #expect(width > 0, "\(forecast.model) zero width at \(level)") }
                    if forecast.counts {
                        #expect(bounds.lower == bounds.lower.rounded() && bounds.upper == bounds.upper.rounded())
                    }
                    previous = width
                }
            }
        }
    }

    @Test(arguments: 0..<40)
    func stockRisesStrictlyWithTheServiceLevel(seed: Int) {
        let (y, period) = Self.series(UInt64(seed))
        let forecast = DemandForecaster.forecast(y, period: period, horizon: 30, backtest: 4)
        for calibration in Self.calibrations {
            for (lead, review) in [(1, 0), (7, 0), (2, 1), (3, 7)] {
                var previous: InventoryPolicy?
                for level in [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999] {
                    var request = InventoryPolicy.Request(leadTime: lead)
                    request.reviewPeriod = review
                    request.serviceLevel = level
                    request.onHand = 1.5
                    request.calibration = calibration
                    request.casePack = seed % 3 == 0 ? 6 : nil
                    let policy = InventoryPolicy(forecast: forecast, request: request)
                    let label = "\(forecast.model) L \(lead) R \(review) level \(level)"
                    if let previous {
                        #expect(policy.safetyStock > previous.safetyStock, "\(label)")
                        #expect(policy.reorderPoint > previous.reorderPoint, "\(label)")
                        #expect(policy.orderUpTo > previous.orderUpTo, "\(label)")
                        #expect(policy.orderUpToUnits >= previous.orderUpToUnits, "\(label)")
                        #expect(policy.leadTimeDemand.sd == previous.leadTimeDemand.sd, "\(label)")
                        #expect(policy.protectionDemand.sd == previous.protectionDemand.sd, "\(label)")
                    }
                    let pack = request.casePack ?? 1
                    #expect(policy.recommendedOrder == policy.recommendedOrder.rounded(), "\(label)")
                    #expect((policy.recommendedOrder / pack) == (policy.recommendedOrder / pack).rounded(), "\(label)")
                    #expect(policy.reorderPointUnits == policy.reorderPointUnits.rounded())
                    #expect(policy.reorderPointUnits >= policy.reorderPoint - 1e-9 || policy.reorderPoint < 0)
                    #expect(
                        policy.schedule.allSatisfy { $0.units == $0.units.rounded() && $0.units >= $0.level - 1e-9 }
                    )
                    previous = policy
                }
            }
        }
    }
}
