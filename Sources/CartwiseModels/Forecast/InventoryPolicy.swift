/// Reorder points, order-up-to levels and lot sizes from a demand forecast's distribution
/// (Silver, Pyke and Thomas, "Inventory and Production Management in Supply Chains", ch. 6-7).
///
/// - Continuous review (s, Q), `reviewPeriod == 0`: order a lot Q whenever the inventory
///   position falls to the reorder point `s = mu_L + z sd_L`, where mu_L, sd_L are the mean and
///   standard deviation of demand over the lead time L (correlations between periods included).
/// - Periodic review (R, S), `reviewPeriod = R > 0`: every R periods order up to
///   `S = mu_{L+R} + z sd_{L+R}`, demand over the protection interval L + R.
/// - z = Phi^-1(cycle service level); EOQ = sqrt(2 K D / h) (Wilson) when the order cost K and
///   holding cost h are given, D the mean demand per period.
/// - Fill rate: `1 - sd G(z) / Q` (continuous) or `1 - sd G(z) / mu_R` (periodic), G the standard
///   normal loss function.
/// - Newsvendor: for one selling period after the lead time, `mu + Phi^-1(CR) sd` with the
///   critical ratio CR = (price - cost) / (price - salvage) or given directly.
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
        /// Multiplies every demand standard deviation (an ``IntervalCalibration`` factor).
        package var spreadFactor = 1.0

        package init(leadTime: Int) {
            self.leadTime = leadTime
        }
    }

    package struct Review: Sendable, Equatable {
        /// Reviews after the current one (0 = now).
        package var offset: Int
        package var level: Double
    }

    package var periodic: Bool
    package var z: Double
    package var leadTimeDemand: (mean: Double, sd: Double)
    package var protectionDemand: (mean: Double, sd: Double)
    package var safetyStock: Double
    package var reorderPoint: Double
    package var orderUpTo: Double
    package var lotSize: Double
    package var eoq: Double?
    package var inventoryPosition: Double
    package var recommendedOrder: Double
    package var fillRate: Double
    package var stockoutProbability: Double
    /// The levels of later reviews, from the forecast at hand (order-up-to, or reorder points).
    package var schedule: [Review]
    package var newsvendor: (criticalRatio: Double, quantity: Double, mean: Double, sd: Double)?

    /// - Parameters:
    ///   - forecast: the series' cached forecast.
    ///   - request: lead time, review period, service level, stock and costs.
    package init(forecast: SeriesForecast, request: InventoryPolicy.Request) {
        let lead = request.leadTime
        let review = request.reviewPeriod
        periodic = review > 0
        z = NormalDistribution.quantile(request.serviceLevel)
        let horizon = forecast.mean.count
        let spread = request.spreadFactor
        // The newsvendor's window may end one period past the horizon.
        let windows = forecast.windows(upTo: max(horizon, lead + max(review, 1)))
        let lt = windows.window(start: 0, length: lead)
        leadTimeDemand = (max(lt.mean, 0), lt.sd * spread)
        let protection = windows.window(start: 0, length: lead + review)
        protectionDemand = (max(protection.mean, 0), protection.sd * spread)
        var perPeriod = 0.0
        for value in forecast.mean { perPeriod += max(value, 0) }
        perPeriod /= Double(max(horizon, 1))
        if let k = request.orderCost, let h = request.holdingCost, h > 0 {
            eoq = (2 * k * perPeriod / h).squareRoot()
        }
        reorderPoint = leadTimeDemand.mean + z * leadTimeDemand.sd
        inventoryPosition = request.onHand + request.onOrder - request.backorders
        let loss = NormalDistribution.loss(z)
        if periodic {
            safetyStock = z * protectionDemand.sd
            orderUpTo = protectionDemand.mean + safetyStock
            lotSize = windows.window(start: 0, length: review).mean
            recommendedOrder = max(0, orderUpTo - inventoryPosition)
            fillRate = lotSize > 0 ? 1 - protectionDemand.sd * loss / lotSize : 1
        } else {
            safetyStock = z * leadTimeDemand.sd
            // With no lead time the lead-time demand is 0; a period's mean demand is the lot.
            lotSize = max(eoq ?? (lead > 0 ? leadTimeDemand.mean : perPeriod), 1e-9)
            orderUpTo = reorderPoint + lotSize
            if inventoryPosition <= reorderPoint {
                let lots = ((reorderPoint - inventoryPosition) / lotSize).rounded(.down) + 1
                recommendedOrder = lots * lotSize
            } else {
                recommendedOrder = 0
            }
            fillRate = 1 - leadTimeDemand.sd * loss / lotSize
        }
        fillRate = min(max(fillRate, 0), 1)
        stockoutProbability = 1 - NormalDistribution.cdf(z)
        var schedule: [Review] = []
        let window = periodic ? lead + review : lead
        let step = periodic ? review : 1
        var offset = 0
        while offset * step + window <= horizon && schedule.count < 366 {
            let demand = windows.window(start: offset * step, length: window)
            schedule.append(Review(offset: offset, level: max(demand.mean, 0) + z * demand.sd * spread))
            offset += 1
        }
        self.schedule = schedule
        if let ratio = request.criticalRatio {
            let season = windows.window(start: lead, length: max(review, 1))
            let q = max(season.mean, 0) + NormalDistribution.quantile(ratio) * season.sd * spread
            newsvendor = (ratio, max(q, 0), max(season.mean, 0), season.sd * spread)
        }
    }
}
