/// Reorder points, order-up-to levels and lot sizes from a demand forecast's distribution
/// (Silver, Pyke and Thomas, "Inventory and Production Management in Supply Chains", ch. 6-7).
///
/// - Continuous review (s, Q), `reviewPeriod == 0`: order a lot Q whenever the inventory
///   position falls to the reorder point s, the service-level quantile of demand over the lead
///   time L (correlations between periods included in its spread).
/// - Periodic review (R, S), `reviewPeriod = R > 0`: every R periods order up to S, the
///   quantile of demand over the protection interval L + R.
/// - The quantile: for whole-unit demand (``SeriesForecast/counts``) the negative binomial's
///   with the window's mean and variance, on the continuous scale of
///   ``CountDistribution/continuousQuantile(_:)``, so a higher service level always gives a
///   higher level; otherwise `mu + z sd`. Either at the level the frequency's backtests say
///   the target needs (``IntervalCalibration``); the spread reported is the model's, whatever
///   the service level.
/// - Acting on a level means whole units: `*_units` round it up, orders are whole units and,
///   with a case pack, whole cases.
/// - EOQ = sqrt(2 K D / h) (Wilson) when the order cost K and holding cost h are given, D the
///   mean demand per period.
/// - Fill rate: 1 - E[shortfall] / Q (continuous) or / mu_R (periodic).
/// - Newsvendor: for one selling period after the lead time, the critical ratio's quantile,
///   CR = (price - cost) / (price - salvage) or given directly.
package struct InventoryPolicy: Sendable {
    package struct Request: Sendable {
        package var leadTime: Int
        package var reviewPeriod = 0
        package var serviceLevel = 0.95
        package var onHand = 0.0
        package var onOrder = 0.0
        package var backorders = 0.0
        package var holdingCost: Double?
        package var orderCost: Double?
        package var criticalRatio: Double?
        /// Units per case: lots and orders are whole cases.
        package var casePack: Double?
        /// What the series' frequency's backtests say about coverage.
        package var calibration = IntervalCalibration.none

        package init(leadTime: Int) {
            self.leadTime = leadTime
        }
    }

    package struct Review: Sendable, Equatable {
        /// Reviews after the current one (0 = now).
        package var offset: Int
        package var level: Double
        /// The level in whole units.
        package var units: Double
    }

    package var periodic: Bool
    /// The effective number of standard deviations above the mean the level is set at.
    package var z: Double
    package var leadTimeDemand: (mean: Double, sd: Double)
    package var protectionDemand: (mean: Double, sd: Double)
    package var safetyStock: Double
    package var reorderPoint: Double
    package var reorderPointUnits: Double
    package var orderUpTo: Double
    package var orderUpToUnits: Double
    package var lotSize: Double
    package var eoq: Double?
    package var inventoryPosition: Double
    package var recommendedOrder: Double
    package var fillRate: Double
    package var stockoutProbability: Double
    /// Whether the levels come from a count distribution.
    package var counts: Bool
    /// The levels of later reviews, from the forecast at hand (order-up-to, or reorder points).
    package var schedule: [Review]
    package var newsvendor: (criticalRatio: Double, quantity: Double, mean: Double, sd: Double)?

    /// Whole units of a level: rounded up, never below zero.
    package static func units(_ level: Double) -> Double { max(0, (level - 1e-9).rounded(.up)) }

    /// - Parameters:
    ///   - forecast: the series' cached forecast.
    ///   - request: lead time, review period, service level, stock and costs.
    package init(forecast: SeriesForecast, request: InventoryPolicy.Request) {
        let lead = request.leadTime
        let review = request.reviewPeriod
        let calibration = request.calibration
        let s = request.serviceLevel
        periodic = review > 0
        counts = forecast.counts
        let countProbability = calibration.countProbability(serviceLevel: s)
        let normalZ = calibration.z(serviceLevel: s)
        func level(_ window: (mean: Double, sd: Double), probability: Double? = nil) -> Double {
            if forecast.counts {
                let distribution = CountDistribution(mean: window.mean, variance: window.sd * window.sd)
                return distribution.continuousQuantile(probability ?? countProbability)
            }
            let z = probability.map(NormalDistribution.quantile) ?? normalZ
            return window.mean + z * window.sd
        }
        func shortfall(_ window: (mean: Double, sd: Double), stock: Double) -> Double {
            if forecast.counts {
                let distribution = CountDistribution(mean: window.mean, variance: window.sd * window.sd)
                return distribution.expectedShortfall(stock: Int(stock))
            }
            guard window.sd > 0 else { return max(window.mean - stock, 0) }
            return window.sd * NormalDistribution.loss((stock - window.mean) / window.sd)
        }
        let horizon = forecast.mean.count
        // The newsvendor's window may end one period past the horizon.
        let windows = forecast.windows(upTo: max(horizon, lead + max(review, 1)))
        let lt = windows.window(start: 0, length: lead)
        leadTimeDemand = (max(lt.mean, 0), lt.sd)
        let protection = windows.window(start: 0, length: lead + review)
        protectionDemand = (max(protection.mean, 0), protection.sd)
        var perPeriod = 0.0
        for value in forecast.mean { perPeriod += max(value, 0) }
        perPeriod /= Double(max(horizon, 1))
        if let k = request.orderCost, let h = request.holdingCost, h > 0 {
            eoq = (2 * k * perPeriod / h).squareRoot()
        }
        let pack = request.casePack ?? 1
        /// Whole units, and whole cases with a case pack.
        func packed(_ quantity: Double) -> Double {
            guard quantity > 1e-9 else { return 0 }
            return ((quantity - 1e-9) / pack).rounded(.up) * pack
        }
        reorderPoint = level(leadTimeDemand)
        reorderPointUnits = Self.units(reorderPoint)
        inventoryPosition = request.onHand + request.onOrder - request.backorders
        let effective = periodic ? protectionDemand : leadTimeDemand
        if periodic {
            orderUpTo = level(protectionDemand)
            safetyStock = orderUpTo - protectionDemand.mean
            orderUpToUnits = Self.units(orderUpTo)
            lotSize = packed(windows.window(start: 0, length: review).mean)
            recommendedOrder = packed(max(0, orderUpToUnits - inventoryPosition))
            let perReview = windows.window(start: 0, length: review).mean
            fillRate = perReview > 0 ? 1 - shortfall(protectionDemand, stock: orderUpToUnits) / perReview : 1
        } else {
            safetyStock = reorderPoint - leadTimeDemand.mean
            // With no lead time the lead-time demand is 0; a period's mean demand is the lot.
            lotSize = max(packed(eoq ?? (lead > 0 ? leadTimeDemand.mean : perPeriod)), pack)
            orderUpTo = reorderPoint + lotSize
            orderUpToUnits = reorderPointUnits + lotSize
            if inventoryPosition <= reorderPointUnits {
                let lots = ((reorderPointUnits - inventoryPosition) / lotSize).rounded(.down) + 1
                recommendedOrder = lots * lotSize
            } else {
                recommendedOrder = 0
            }
            fillRate = 1 - shortfall(leadTimeDemand, stock: reorderPointUnits) / lotSize
        }
        z = effective.sd > 0 ? (periodic ? orderUpTo - effective.mean : safetyStock) / effective.sd : normalZ
        fillRate = min(max(fillRate, 0), 1)
        let stock = periodic ? orderUpToUnits : reorderPointUnits
        if forecast.counts {
            let distribution = CountDistribution(mean: effective.mean, variance: effective.sd * effective.sd)
            stockoutProbability = 1 - distribution.cdf(Int(stock))
        } else {
            stockoutProbability = 1 - s
        }
        var schedule: [Review] = []
        let window = periodic ? lead + review : lead
        let step = periodic ? review : 1
        var offset = 0
        while offset * step + window <= horizon && schedule.count < 366 {
            let demand = windows.window(start: offset * step, length: window)
            let value = level((max(demand.mean, 0), demand.sd))
            schedule.append(Review(offset: offset, level: value, units: Self.units(value)))
            offset += 1
        }
        self.schedule = schedule
        if let ratio = request.criticalRatio {
            let season = windows.window(start: lead, length: max(review, 1))
            let q = level((max(season.mean, 0), season.sd), probability: ratio)
            newsvendor = (ratio, Self.units(q), max(season.mean, 0), season.sd)
        }
    }
}
