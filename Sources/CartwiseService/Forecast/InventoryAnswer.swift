import CartwiseModels
import HTTPCore

/// The JSON of `GET /inventory/policy`.
enum InventoryAnswer {
    static func encode(
        _ id: String,
        _ entry: ForecastSnapshot.Entry,
        _ policy: InventoryPolicy,
        _ request: InventoryPolicy.Request,
        unitCost: Double?
    ) -> [UInt8] {
        func number(_ value: Double, _ out: inout [UInt8]) { ForecastEncoding.round(value, &out) }
        var out: [UInt8] = Array(#"{"item":"#.utf8)
        JSONString.append(id, to: &out)
        out += #","model":"#.utf8
        JSONString.append(entry.forecast.model, to: &out)
        out += #","model_version":\#(entry.version),"frequency":"\#(entry.frequency.rawValue)""#.utf8
        let method = policy.periodic ? "periodic_review_R_S" : "continuous_review_s_Q"
        let formula =
            policy.periodic
            ? "every review_period periods order up to S, the service-level quantile of demand over L+R; order = whole units (cases) of S_units - (on_hand + on_order - backorders)"
            : "when on_hand + on_order - backorders <= s_units, s the service-level quantile of demand over L, order lots of Q whole units (EOQ when costs are given, else mu(L); mean demand per period when L = 0)"
        out += #","method":"\#(method)","formula":"\#(formula)""#.utf8
        out += #","distribution":"\#(policy.counts ? "negative_binomial" : "normal")""#.utf8
        out += #","lead_time":\#(request.leadTime),"review_period":\#(request.reviewPeriod)"#.utf8
        out += #","service_level":"#.utf8
        number(request.serviceLevel, &out)
        out += #","z":"#.utf8
        number(policy.z, &out)
        out += #","lead_time_demand":{"mean":"#.utf8
        number(policy.leadTimeDemand.mean, &out)
        out += #","sd":"#.utf8
        number(policy.leadTimeDemand.sd, &out)
        out += #"},"protection_interval_demand":{"periods":\#(request.leadTime + request.reviewPeriod),"mean":"#.utf8
        number(policy.protectionDemand.mean, &out)
        out += #","sd":"#.utf8
        number(policy.protectionDemand.sd, &out)
        out += "}".utf8
        let fields: [(String, Double?)] = [
            ("safety_stock", policy.safetyStock),
            ("reorder_point", policy.reorderPoint),
            ("reorder_point_units", policy.reorderPointUnits),
            ("order_up_to", policy.orderUpTo),
            ("order_up_to_units", policy.orderUpToUnits),
            ("case_pack", request.casePack),
            ("lot_size", policy.lotSize),
            ("eoq", policy.eoq),
            ("inventory_position", policy.inventoryPosition),
            ("recommended_order_qty", policy.recommendedOrder),
            ("expected_fill_rate", policy.fillRate),
            ("stockout_probability", policy.stockoutProbability),
            ("recommended_order_value", unitCost.map { $0 * policy.recommendedOrder }),
        ]
        for (name, value) in fields {
            out += #","\#(name)":"#.utf8
            if let value { number(value, &out) } else { out += "null".utf8 }
        }
        out += #","schedule":["#.utf8
        // Up to 366 reviews: labels come from the entry's cache, and nothing is interpolated.
        let levelKey = policy.periodic ? #","order_up_to":"# : #","reorder_point":"#
        for (index, review) in policy.schedule.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"review":"#.utf8
            out += String(review.offset).utf8
            out += #","from":"#.utf8
            out += entry.jsonLabel(step: review.offset * max(request.reviewPeriod, 1))
            out += levelKey.utf8
            number(review.level, &out)
            out += #","units":"#.utf8
            number(review.units, &out)
            out.append(UInt8(ascii: "}"))
        }
        out += #"],"newsvendor":"#.utf8
        if let newsvendor = policy.newsvendor {
            out += #"{"critical_ratio":"#.utf8
            number(newsvendor.criticalRatio, &out)
            out += #","quantity":"#.utf8
            number(newsvendor.quantity, &out)
            out += #","period_demand":{"mean":"#.utf8
            number(newsvendor.mean, &out)
            out += #","sd":"#.utf8
            number(newsvendor.sd, &out)
            out += "}}".utf8
        } else {
            out += "null".utf8
        }
        out += "}".utf8
        return out
    }
}
