import HTTPCore

/// One decision in the audit trail (`data/audit/`), as JSON: the inputs (email and IP only as
/// salted hashes), every feature, the score, the reasons, the rules that fired and the model
/// that decided. The trail is also how scored orders come back after a restart: replaying it
/// rebuilds the velocity windows and the orders a later label joins.
package enum AuditEntry {
    package struct Decided: Sendable {
        package var order: Order
        package var record: OrderRecord
        package var score: Double
        package var decision: RiskDecision
        package var reasons: [RiskModel.Reason]
        /// `reasons` as JSON, written once for both the answer and the trail.
        package var reasonsJSON: [UInt8]
        /// `gbdt` or `rules`.
        package var model: String
        package var modelVersion: UInt64
        package var decidedAt: Int64
    }

    package static func encode(_ entry: Decided) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        let order = entry.order
        let keys = entry.record.keys
        out += #"{"order_id":"#.utf8
        JSONString.append(order.id, to: &out)
        out += #","decided_at":\#(entry.decidedAt),"created_at":\#(order.createdAt)"#.utf8
        field("user", keys.user, &out)
        field("email_hash", keys.emailHash, &out)
        field("ip_hash", keys.ipHash, &out)
        field("card_fingerprint", keys.card, &out)
        field("device_hash", keys.deviceHash, &out)
        field("address_hash", keys.addressHash, &out)
        field("card_bin", order.cardBIN, &out)
        field("payment_method", order.paymentMethod, &out)
        field("currency", order.currency, &out)
        field("shipping_country", order.shippingCountry, &out)
        field("billing_country", order.billingCountry, &out)
        out += #","amount":"#.utf8
        JSONWriter.append(order.amount, to: &out)
        out += #","items":["#.utf8
        for (index, line) in order.items.enumerated() {
            if index > 0 { out += ",".utf8 }
            out += #"{"item":"#.utf8
            JSONString.append(line.item, to: &out)
            out += #","quantity":"#.utf8
            JSONWriter.append(line.quantity, to: &out)
            out += #","price":"#.utf8
            JSONWriter.append(line.price, to: &out)
            out += "}".utf8
        }
        out += #"],"derived":{"#.utf8
        for (index, name) in RiskFeatures.derived.enumerated() {
            if index > 0 { out += ",".utf8 }
            JSONString.append(name, to: &out)
            out += ":".utf8
            JSONWriter.append(entry.record.derived[index], to: &out)
        }
        out += #"},"signals":"#.utf8
        if order.signalsJSON.isEmpty {
            out += "{".utf8
            for (index, signal) in order.signals.enumerated() {
                if index > 0 { out += ",".utf8 }
                JSONString.append(signal.name, to: &out)
                out += ":".utf8
                JSONWriter.append(signal.value, to: &out)
            }
            out += "}".utf8
        } else {
            out += order.signalsJSON
        }
        out += #","score":"#.utf8
        JSONWriter.append(entry.score, to: &out)
        out += #","risk_level":"\#(entry.decision.riskLevel)","decision":"\#(entry.decision.outcome.rawValue)""#.utf8
        out += #","model":"\#(entry.model)","model_version":\#(entry.modelVersion),"rules":["#.utf8
        for (index, rule) in entry.decision.rules.enumerated() {
            if index > 0 { out += ",".utf8 }
            JSONString.append(rule, to: &out)
        }
        out += #"],"reasons":"#.utf8
        out += entry.reasonsJSON
        out += "}".utf8
        return out
    }

    /// Reasons as the answer and the trail give them.
    package static func reasons(_ reasons: [RiskModel.Reason]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 * reasons.count + 2)
        out += "[".utf8
        for (index, reason) in reasons.enumerated() {
            if index > 0 { out += ",".utf8 }
            out += #"{"feature":"#.utf8
            JSONString.append(reason.feature, to: &out)
            out += #","value":"#.utf8
            JSONWriter.append(reason.value, to: &out)
            out += #","contribution":"#.utf8
            JSONWriter.append((reason.contribution * 10_000).rounded() / 10_000, to: &out)
            out += #","description":"#.utf8
            JSONString.append(reason.description, to: &out)
            out += "}".utf8
        }
        out += "]".utf8
        return out
    }

    private static func field(_ name: String, _ value: String?, _ out: inout [UInt8]) {
        guard let value else { return }
        out += ",\"\(name)\":".utf8
        JSONString.append(value, to: &out)
    }

    /// The order a trail entry scored, for replay.
    /// - Throws: ``JSONReader/SyntaxError`` when the entry is not JSON of this shape.
    package static func decode(_ payload: UnsafeRawBufferPointer) throws(JSONReader.SyntaxError) -> OrderRecord {
        try decodeDecision(payload).record
    }

    /// The order and the score it was decided on (nil in an entry without one).
    package static func decodeDecision(
        _ payload: UnsafeRawBufferPointer
    ) throws(JSONReader.SyntaxError) -> (
        record: OrderRecord, score: Double?
    ) {
        var score: Double?
        var record = OrderRecord(
            id: "",
            createdAt: 0,
            amount: 0,
            keys: .none,
            derived: [Double](repeating: .nan, count: RiskFeatures.derived.count),
            signals: [],
            fraud: nil
        )
        try payload.withMemoryRebound(to: UInt8.self) { bytes throws(JSONReader.SyntaxError) in
            var reader = JSONReader(bytes)
            try reader.expect(UInt8(ascii: "{"))
            repeat {
                let key = try reader.readString()
                try reader.expect(UInt8(ascii: ":"))
                switch key {
                case "order_id": record.id = try reader.readString()
                case "created_at":
                    let time = try reader.readNumber()
                    guard abs(time) < 1e15 else { throw reader.error("created_at out of range") }
                    record.createdAt = Int64(time)
                case "amount": record.amount = try reader.readNumber()
                case "score": score = try reader.readNumber()
                case "user": record.keys.user = try reader.readString()
                case "email_hash": record.keys.emailHash = try reader.readString()
                case "ip_hash": record.keys.ipHash = try reader.readString()
                case "card_fingerprint": record.keys.card = try reader.readString()
                case "device_hash": record.keys.deviceHash = try reader.readString()
                case "address_hash": record.keys.addressHash = try reader.readString()
                case "derived":
                    try members(&reader) { name, value in
                        if let position = RiskFeatures.derived.firstIndex(of: name) { record.derived[position] = value }
                    }
                case "signals":
                    try members(&reader) { name, value in record.signals.append((name, value)) }
                default: try reader.skipValue()
                }
            } while reader.consume(UInt8(ascii: ","))
            try reader.expect(UInt8(ascii: "}"))
        }
        return (record, score)
    }

    /// An object of numbers (null = NaN).
    private static func members(
        _ reader: inout JSONReader,
        _ body: (String, Double) -> Void
    ) throws(JSONReader.SyntaxError) {
        try reader.expect(UInt8(ascii: "{"))
        if reader.consume(UInt8(ascii: "}")) { return }
        repeat {
            let name = try reader.readString()
            try reader.expect(UInt8(ascii: ":"))
            body(name, reader.readNull() ? .nan : try reader.readNumber())
        } while reader.consume(UInt8(ascii: ","))
        try reader.expect(UInt8(ascii: "}"))
    }
}
