import HTTPCore

/// `POST /labels`: `{"order_id", "label": "fraud"|"legit", "source"}`, also the `labels/` log's
/// record (with the time it was received).
package struct LabelRequest: Sendable, Equatable {
    package static let sources = ["chargeback", "manual_review", "customer_report", "import", "other"]

    package var orderID: String
    package var fraud: Bool
    package var source: String
    /// Milliseconds since the epoch.
    package var receivedAt: Int64

    package init(orderID: String, fraud: Bool, source: String, receivedAt: Int64) {
        self.orderID = orderID
        self.fraud = fraud
        self.source = source
        self.receivedAt = receivedAt
    }

    /// - Parameters:
    ///   - body: the JSON object.
    ///   - now: `received_at` when the body has none.
    ///   - replaying: a record of the `labels/` log: checks added by a later version must not
    ///     stop the server from replaying what an earlier one accepted, so `received_at` is
    ///     only required to fit, not to lie between 1970 and 2100.
    /// - Returns: the label.
    /// - Throws: ``APIError`` naming the field.
    package static func decode(_ body: [UInt8], now: Int64, replaying: Bool = false) throws(APIError) -> LabelRequest {
        var problems: [(field: String, reason: String)] = []
        var id: String?
        var fraud: Bool?
        var source = "other"
        var receivedAt = now
        func problem(_ field: String, _ reason: String) { problems.append((field, reason)) }
        try JSONObjectBody.read(body, problem: problem) {
            key,
            reader throws(JSONReader.SyntaxError) in
            switch key {
            case "order_id": id = try EventDecoder.identifier(&reader, key) { problems.append(($0, $1)) }
            case "label":
                let text = try reader.peekKind() == .string ? try reader.readString() : nil
                if text == nil { try reader.skipValue() }
                switch text {
                case "fraud": fraud = true
                case "legit": fraud = false
                default: problems.append((key, "must be \"fraud\" or \"legit\""))
                }
            case "source":
                let text = try reader.peekKind() == .string ? try reader.readString() : nil
                if text == nil { try reader.skipValue() }
                if let text, sources.contains(text) {
                    source = text
                } else {
                    problems.append((key, "must be one of " + sources.joined(separator: ", ")))
                }
            case "received_at":
                let number = try EventDecoder.number(&reader, key) { problems.append(($0, $1)) }
                if let number {
                    if number == number.rounded(),
                        (0...4_102_444_800_000).contains(number) || (replaying && abs(number) < 9e18)
                    {
                        receivedAt = Int64(number)
                    } else {
                        problems.append((key, "must be whole milliseconds between 1970 and 2100"))
                    }
                }
            default:
                problems.append((key, "is not a known field"))
                try reader.skipValue()
            }
        }
        if problems.isEmpty && id == nil { problems.append(("order_id", "is required")) }
        if problems.isEmpty && fraud == nil { problems.append(("label", "is required")) }
        if let first = problems.first { throw .invalidField(field: first.field, reason: first.reason) }
        return LabelRequest(orderID: id!, fraud: fraud!, source: source, receivedAt: receivedAt)
    }

    /// The log record (and `POST /labels`'s own shape, plus `received_at`).
    package func encode() -> [UInt8] {
        var out: [UInt8] = Array(#"{"order_id":"#.utf8)
        JSONString.append(orderID, to: &out)
        out += #","label":"\#(fraud ? "fraud" : "legit")","source":"\#(source)","received_at":\#(receivedAt)}"#.utf8
        return out
    }
}
