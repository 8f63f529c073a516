import CartwiseModels
import HTTPCore

/// The JSON, NDJSON and CSV forms of customers and segments. Numbers are written in full
/// (shortest round-trip text), so an export and `GET /customers/{id}` give the same figures.
package enum CustomerEncoding {
    /// `GET /customers/{id}`: the figures at `query`, the segment, RFM and the profile.
    package static func customer(_ model: CustomerModel, _ i: Int, query: CustomerQuery, version: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        out += #"{"customer":"#.utf8
        JSONString.append(model.ids[i], to: &out)
        out += #","as_of":""#.utf8
        out += CustomerQuery.date(query.asOf).utf8
        out += #"","segment":"#.utf8
        appendSegment(model, model.segment(i, asOf: query.asOf), to: &out)
        out += #","rfm":"#.utf8
        appendRFM(model.rfm(i, asOf: query.asOf), to: &out)
        let figures =
            query.isDefault(for: model)
            ? defaultFigures(model, i)
            : model.lifetime(
                i,
                asOf: query.asOf,
                horizonDays: query.horizonDays,
                monthlyDiscount: query.monthlyDiscount
            )
            .map { ($0.alive, $0.value.purchases, $0.value.spend, $0.value.discounted) }
        appendFigures(figures, to: &out)
        out += #","horizon_days":\#(query.horizonDays),"discount_rate":"#.utf8
        JSONWriter.append(query.monthlyDiscount, to: &out)
        out += #","profile":"#.utf8
        appendProfile(model.profiles[i], asOf: query.asOf, to: &out)
        out += #","model":{"family":"customers","version":\#(version),"repeat_buying":"#.utf8
        JSONString.append(model.purchases?.name ?? "none", to: &out)
        out += "}}".utf8
        return out
    }

    /// One customer of a list or an export, at the model's defaults.
    package static func entry(_ model: CustomerModel, _ i: Int, to out: inout [UInt8]) {
        out += #"{"customer":"#.utf8
        JSONString.append(model.ids[i], to: &out)
        out += #","segment":"#.utf8
        appendSegment(model, model.segment(i, asOf: model.asOf), to: &out)
        out += #","rfm":"#.utf8
        appendRFM(model.rfm(i, asOf: model.asOf), to: &out)
        appendFigures(defaultFigures(model, i), to: &out)
        out += "}".utf8
    }

    /// The figures the model precomputed at its defaults; nil for a customer without them.
    private static func defaultFigures(
        _ model: CustomerModel,
        _ i: Int
    ) -> (alive: Double, purchases: Double, spend: Double, value: Double)? {
        model.alive[i].isNaN
            ? nil : (model.alive[i], model.expectedPurchases[i], model.expectedSpend[i], model.value[i])
    }

    /// The CSV export's header.
    package static let csvHeader = Array(
        "customer,segment,recency_days,frequency,monetary,p_alive,expected_purchases,expected_spend,clv\n".utf8
    )

    /// One customer as a CSV row, at the model's defaults; empty fields for what is unknown.
    package static func csvRow(_ model: CustomerModel, _ i: Int, to out: inout [UInt8]) {
        appendCSVField(model.ids[i], to: &out)
        out.append(44)
        if let segment = model.segment(i, asOf: model.asOf) { appendCSVField(model.segments[segment].id, to: &out) }
        let rfm = model.rfm(i, asOf: model.asOf)
        for value in [
            rfm?.recencyDays, rfm?.frequency, rfm?.monetary, model.alive[i], model.expectedPurchases[i],
            model.expectedSpend[i], model.value[i],
        ] {
            out.append(44)
            if let value, value.isFinite { JSONWriter.append(value, to: &out) }
        }
        out.append(10)
    }

    /// A segment for `GET /segments`.
    package static func segment(_ segment: CustomerSegment, to out: inout [UInt8]) {
        out += #"{"id":"#.utf8
        JSONString.append(segment.id, to: &out)
        out += #","name":"#.utf8
        JSONString.append(segment.name, to: &out)
        out += #","description":"#.utf8
        JSONString.append(segment.description, to: &out)
        out += #","size":\#(segment.size),"customer_share":"#.utf8
        JSONWriter.append(segment.customerShare, to: &out)
        out += #","revenue_share":"#.utf8
        JSONWriter.append(segment.revenueShare, to: &out)
        out += #","median_rfm":{"recency_days":"#.utf8
        JSONWriter.append(segment.medianRecencyDays, to: &out)
        out += #","frequency":"#.utf8
        JSONWriter.append(segment.medianFrequency, to: &out)
        out += #","monetary":"#.utf8
        JSONWriter.append(segment.medianMonetary, to: &out)
        out += #"},"mean_p_alive":"#.utf8
        out += JSONWriter.number(segment.meanAlive).utf8
        out += #","mean_clv":"#.utf8
        out += JSONWriter.number(segment.meanValue).utf8
        out += #","centre":{"log_recency_z":"#.utf8
        JSONWriter.append(segment.centre[0], to: &out)
        out += #","log_frequency_z":"#.utf8
        JSONWriter.append(segment.centre[1], to: &out)
        out += #","log_monetary_z":"#.utf8
        JSONWriter.append(segment.centre[2], to: &out)
        out += "}}".utf8
    }

    private static func appendSegment(_ model: CustomerModel, _ index: Int?, to out: inout [UInt8]) {
        guard let index else {
            out += "null".utf8
            return
        }
        out += #"{"id":"#.utf8
        JSONString.append(model.segments[index].id, to: &out)
        out += #","name":"#.utf8
        JSONString.append(model.segments[index].name, to: &out)
        out += "}".utf8
    }

    private static func appendRFM(_ rfm: CustomerModel.RFM?, to out: inout [UInt8]) {
        guard let rfm else {
            out += "null".utf8
            return
        }
        out += #"{"recency_days":"#.utf8
        JSONWriter.append(rfm.recencyDays, to: &out)
        out += #","frequency":"#.utf8
        JSONWriter.append(rfm.frequency, to: &out)
        out += #","monetary":"#.utf8
        JSONWriter.append(rfm.monetary, to: &out)
        out += "}".utf8
    }

    private static func appendFigures(
        _ figures: (alive: Double, purchases: Double, spend: Double, value: Double)?,
        to out: inout [UInt8]
    ) {
        guard let figures else {
            out += #","p_alive":null,"churn_risk":null,"expected_purchases":null,"expected_spend":null,"clv":null"#.utf8
            return
        }
        out += #","p_alive":"#.utf8
        JSONWriter.append(figures.alive, to: &out)
        out += #","churn_risk":"#.utf8
        JSONWriter.append(1 - figures.alive, to: &out)
        out += #","expected_purchases":"#.utf8
        JSONWriter.append(figures.purchases, to: &out)
        out += #","expected_spend":"#.utf8
        JSONWriter.append(figures.spend, to: &out)
        out += #","clv":"#.utf8
        JSONWriter.append(figures.value, to: &out)
    }

    private static func appendProfile(_ profile: CustomerProfile, asOf: Int32, to out: inout [UInt8]) {
        out += #"{"orders":\#(profile.orders),"units":"#.utf8
        JSONWriter.append(profile.units, to: &out)
        out += #","returned_share":"#.utf8
        out += (profile.units > 0 ? JSONWriter.number(profile.returnedUnits / profile.units, places: 4) : "null").utf8
        out += #","top_categories":["#.utf8
        for (position, share) in profile.topCategories.enumerated() {
            if position > 0 { out.append(44) }
            out += #"{"category":"#.utf8
            JSONString.append(share.category, to: &out)
            out += #","share":"#.utf8
            out += JSONWriter.number(share.share, places: 4).utf8
            out += "}".utf8
        }
        out += #"],"price_sensitivity":"#.utf8
        out += (profile.priceSensitivity.map { JSONWriter.number($0, places: 4) } ?? "null").utf8
        out += #","device":"#.utf8
        if let device = profile.device { JSONString.append(device, to: &out) } else { out += "null".utf8 }
        out += #","channel":"#.utf8
        if let channel = profile.channel { JSONString.append(channel, to: &out) } else { out += "null".utf8 }
        out += #","first_seen":"#.utf8
        appendTime(profile.firstSeen == .max ? nil : profile.firstSeen, to: &out)
        out += #","last_activity":"#.utf8
        appendTime(profile.lastSeen == .min ? nil : profile.lastSeen, to: &out)
        out += #","tenure_days":"#.utf8
        if profile.firstSeen != .max {
            out += String(max(0, Int(asOf) - Int(CustomerLedger.day(profile.firstSeen)))).utf8
        } else {
            out += "null".utf8
        }
        out += #","events":\#(profile.events)}"#.utf8
    }

    private static func appendTime(_ milliseconds: Int64?, to out: inout [UInt8]) {
        guard let milliseconds else {
            out += "null".utf8
            return
        }
        out.append(34)
        out += Timestamp.format(milliseconds).utf8
        out.append(34)
    }

    private static func appendCSVField(_ text: String, to out: inout [UInt8]) {
        guard text.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else {
            out += text.utf8
            return
        }
        out.append(34)
        for byte in text.utf8 {
            if byte == 34 { out.append(34) }
            out.append(byte)
        }
        out.append(34)
    }
}
