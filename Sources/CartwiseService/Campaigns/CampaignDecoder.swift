/// Reads `POST /campaigns`' body into a ``Campaign``; every problem names its field.
package enum CampaignDecoder {
    package static let maxAudienceCustomers = 1_000_000
    package static let maxSegments = 64
    private static let known: Set<String> = [
        "id", "offer", "channel", "cost_per_contact", "offer_cost", "value_per_response", "audience",
        "control_share", "start", "end", "attribution_days", "outcome", "seed", "created_at",
    ]

    /// - Parameters:
    ///   - body: the request body, or a campaigns log record.
    ///   - now: the default start and the creation time.
    ///   - settings: the defaults for the control share and the attribution window.
    /// - Returns: the campaign.
    /// - Throws: ``APIError`` naming the first field at fault.
    package static func decode(_ body: [UInt8], now: Int64, settings: CampaignSettings) throws(APIError) -> Campaign {
        let fields = try JSONFields(try JSONTree.parse(body), known: known)
        let id = try fields.string("id", required: true, maxBytes: 128)!
        guard id.utf8.allSatisfy(isIDByte) else {
            throw .invalidField(field: "id", reason: "must use only letters, digits, '.', '_' and '-'")
        }
        let start = try fields.time("start") ?? now
        let end = try fields.time("end") ?? (start + 14 * 86_400_000)
        guard end > start else { throw .invalidField(field: "end", reason: "must be after start") }
        let outcomeName = try fields.string("outcome") ?? Campaign.Outcome.purchase.rawValue
        guard let outcome = Campaign.Outcome(rawValue: outcomeName) else {
            throw .invalidField(field: "outcome", reason: "must be purchase or visit")
        }
        return Campaign(
            id: id,
            offer: try fields.string("offer") ?? id,
            channel: try fields.string("channel") ?? "email",
            costPerContact: try fields.number("cost_per_contact", in: 0...Magnitude.maxMoney) ?? 0,
            offerCost: try fields.number("offer_cost", in: 0...Magnitude.maxMoney) ?? 0,
            valuePerResponse: try fields.number("value_per_response", in: 0...Magnitude.maxMoney),
            audience: try audience(fields),
            controlShare: try fields.number("control_share", in: 0...0.9) ?? settings.controlShare,
            start: start,
            end: end,
            attributionDays: try fields.integer("attribution_days", in: 1...365) ?? settings.attributionDays,
            outcome: outcome,
            seed: UInt64(try fields.integer("seed", in: 0...Int(Int32.max)) ?? 0),
            createdAt: try fields.time("created_at") ?? now
        )
    }

    private static func audience(_ fields: JSONFields) throws(APIError) -> Campaign.Audience {
        guard let tree = fields.raw("audience") else { return .everyone }
        let audience = try JSONFields(tree, path: "audience", known: ["segments", "customers", "everyone"])
        if let everyone = audience.raw("everyone"), everyone != .bool(true) && everyone != .bool(false) {
            throw .invalidField(field: "audience.everyone", reason: "must be true or false")
        }
        if audience.has("segments") && audience.has("customers") {
            throw .invalidField(field: "audience", reason: "takes segments or customers, not both")
        }
        if let segments = try audience.array("segments", maxCount: maxSegments) {
            guard !segments.isEmpty else {
                throw .invalidField(field: "audience.segments", reason: "must name at least one segment")
            }
            return .segments(try ids(segments, "audience.segments"))
        }
        if let customers = try audience.array("customers", maxCount: maxAudienceCustomers) {
            guard !customers.isEmpty else {
                throw .invalidField(field: "audience.customers", reason: "must name at least one customer")
            }
            return .customers(try ids(customers, "audience.customers"))
        }
        return .everyone
    }

    private static func ids(_ values: [JSONTree], _ field: String) throws(APIError) -> [String] {
        var ids: [String] = []
        ids.reserveCapacity(values.count)
        var seen = Set<String>()
        for (index, value) in values.enumerated() {
            let text: String
            switch value {
            case .string(let string) where !string.isEmpty && string.utf8.count <= EventDecoder.maxIDBytes:
                text = string
            default:
                throw .invalidField(
                    field: "\(field)[\(index)]",
                    reason: "must be an id of 1 to \(EventDecoder.maxIDBytes) bytes"
                )
            }
            if seen.insert(text).inserted { ids.append(text) }
        }
        return ids
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45
            || byte == 46 || byte == 95
    }
}
