import CartwiseModels
import HTTPCore

/// `GET /inventory/policy`'s query: lead time and review period in the series' periods, the
/// service level, the stock position, and the costs of the EOQ and of the newsvendor, each
/// checked and named when it is wrong.
enum InventoryPolicyQuery {
    /// - Parameters:
    ///   - request: the request.
    ///   - frequency: the series' frequency: lead time and review period end at its horizon.
    /// - Returns: the policy's inputs and the unit cost (for the order's value).
    /// - Throws: ``APIError/invalidField(field:reason:)`` naming the parameter.
    static func parse(_ request: HTTPRequest, frequency: Frequency) throws -> (InventoryPolicy.Request, Double?) {
        let maxHorizon = frequency.maxHorizon
        var policyRequest = InventoryPolicy.Request(
            leadTime: try request.queryInt("lead_time", default: nil, range: 0...maxHorizon)
                ?? {
                    throw APIError.invalidField(field: "lead_time", reason: "is required (periods of the series)")
                }()
        )
        policyRequest.reviewPeriod = try request.queryInt(
            "review_period",
            default: 0,
            range: 0...(maxHorizon - policyRequest.leadTime)
        )!
        policyRequest.serviceLevel = try request.queryDouble("service_level", default: 0.95, range: 0.5...0.9999)!
        policyRequest.onHand = try request.queryDouble("on_hand", default: 0, range: -1e12...1e12)!
        policyRequest.onOrder = try request.queryDouble("on_order", default: 0, range: 0...1e12)!
        policyRequest.backorders = try request.queryDouble("backorders", default: 0, range: 0...1e12)!
        policyRequest.holdingCost = try request.queryDouble("holding_cost", default: nil, range: 1e-12...1e12)
        policyRequest.orderCost = try request.queryDouble("order_cost", default: nil, range: 0...1e12)
        policyRequest.casePack = try request.queryDouble("case_pack", default: nil, range: 1...1e9)
        let unitCost = try request.queryDouble("unit_cost", default: nil, range: 0...1e12)
        let price = try request.queryDouble("price", default: nil, range: 0...1e12)
        let salvage = try request.queryDouble("salvage_value", default: 0, range: 0...1e12)!
        policyRequest.criticalRatio = try request.queryDouble(
            "critical_ratio",
            default: nil,
            range: 0.0001...0.9999
        )
        if policyRequest.criticalRatio == nil, let price, let unitCost {
            guard price > unitCost, unitCost >= salvage else {
                throw APIError.invalidField(
                    field: "price",
                    reason: "must exceed unit_cost, which must be at least salvage_value"
                )
            }
            policyRequest.criticalRatio = min(max((price - unitCost) / (price - salvage), 0.0001), 0.9999)
        }
        if (policyRequest.holdingCost == nil) != (policyRequest.orderCost == nil) {
            throw APIError.invalidField(
                field: policyRequest.holdingCost == nil ? "holding_cost" : "order_cost",
                reason:
                    "is needed with \(policyRequest.holdingCost == nil ? "order_cost" : "holding_cost") for the EOQ"
            )
        }
        return (policyRequest, unitCost)
    }
}
