import RealModule

/// What a customer is expected to bring over a horizon: purchases (BG/NBD), spend per purchase
/// (Gamma-Gamma), their product, and the same discounted month by month (CLV).
package struct LifetimeValue: Sendable, Equatable {
    /// Expected repeat purchases (purchase days) over the horizon.
    package var purchases: Double
    /// Expected spend per purchase.
    package var spendPerPurchase: Double
    /// purchases × spendPerPurchase, undiscounted.
    package var spend: Double
    /// The discounted value: each month's expected spend divided by (1 + rate)^months.
    package var discounted: Double

    /// Weeks in a month, as `lifetimes` steps its CLV (4.345), so the figures compare.
    package static let weeksPerMonth = 4.345

    /// - Parameters:
    ///   - model: the frequency model.
    ///   - spendModel: the spend model, or nil where it could not be fitted (spend and value are then 0).
    ///   - customer: the purchase summary.
    ///   - average: the customer's repeat purchases and average spend.
    ///   - weeks: the horizon.
    ///   - monthlyDiscount: the monthly discount rate, 0 or more.
    package init(
        purchases model: any RepeatBuyingModel,
        spend spendModel: GammaGammaSpend?,
        customer: RepeatPurchases,
        average: GammaGammaSpend.Spend,
        weeks: Double,
        monthlyDiscount: Double
    ) {
        purchases = model.expectedPurchases(inWeeks: weeks, customer)
        spendPerPurchase = spendModel?.expectedAverage(average) ?? 0
        spend = purchases * spendPerPurchase
        // Month by month: the purchases expected in each month, valued at its end; the last
        // month may be partial, so any horizon in days is covered exactly.
        var value = 0.0
        var previous = 0.0
        var elapsed = 0.0
        let logRate = Double.log(onePlus: monthlyDiscount)
        while elapsed < weeks - 1e-9 {
            elapsed = min(weeks, elapsed + Self.weeksPerMonth)
            let cumulative = model.expectedPurchases(inWeeks: elapsed, customer)
            value += (cumulative - previous) * Double.exp(-logRate * elapsed / Self.weeksPerMonth)
            previous = cumulative
        }
        discounted = value * spendPerPurchase
    }
}
