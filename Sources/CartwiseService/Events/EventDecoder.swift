/// Reads and validates events (`POST /events` entries and NDJSON import lines).
///
/// Every rule names the field it checks so that a rejected batch tells the sender exactly what to
/// fix: `events[3].type must be one of view, click, ...`.
package struct EventDecoder: Sendable {
    /// Server time, for events without a timestamp.
    package var now: Int64
    /// How far past `now` a timestamp may be (milliseconds); nil: up to 2100.
    package var maxFutureSkew: Int64?
    package static let maxIDBytes = 256
    package static let maxContextFields = 64
    package static let maxContextNameBytes = 64
    package static let maxContextStringBytes = 256

    package init(now: Int64, maxFutureSkew: Int64? = nil) {
        self.now = now
        self.maxFutureSkew = maxFutureSkew
    }

    /// Reads one event object.
    /// - Returns: the event, or nil when `problems` received at least one entry.
    /// - Throws: only JSON syntax errors.
    package func decode(
        _ reader: inout JSONReader,
        index: Int,
        problems: inout [FieldError]
    )
        throws(JSONReader.SyntaxError) -> Event?
    {
        guard try Self.isObject(&reader, index: index, entity: "(event)", problems: &problems) else { return nil }
        var user: String?
        var item: String?
        var type: EventType?
        var value = 1.0
        var price: Double?
        var timestamp: Int64?
        var orderID: String?
        var impressionID: String?
        var clicked: Bool?
        var context: [ContextField] = []
        var campaign: String?
        var arm: String?
        let before = problems.count
        func problem(_ field: String, _ reason: String) {
            problems.append(FieldError(index: index, field: field, reason: reason))
        }

        try reader.expect(UInt8(ascii: "{"))
        if !reader.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try reader.readString()
                try reader.expect(UInt8(ascii: ":"))
                switch key {
                case "user": user = try Self.identifier(&reader, "user", problem)
                case "item": item = try Self.identifier(&reader, "item", problem)
                case "order_id": orderID = try Self.identifier(&reader, "order_id", problem, nullable: true)
                case "impression_id":
                    impressionID = try Self.identifier(&reader, "impression_id", problem, nullable: true)
                case "type":
                    if try reader.peekKind() == .string {
                        let name = try reader.readString()
                        type = EventType(name: name)
                        if type == nil {
                            problem(
                                "type",
                                "must be one of " + EventType.allCases.map(\.description).joined(separator: ", ")
                            )
                        }
                    } else {
                        problem("type", "must be a string")
                        try reader.skipValue()
                    }
                case "value":
                    if let number = try Self.number(&reader, "value", problem) { value = number }
                case "price":
                    if reader.readNull() { break }
                    if let number = try Self.number(&reader, "price", problem) {
                        if number < 0 {
                            problem("price", "must not be negative")
                        } else if number > Magnitude.maxMoney {
                            problem("price", Magnitude.moneyProblem)
                        } else {
                            price = number
                        }
                    }
                case "timestamp":
                    timestamp = try Self.timestamp(&reader, problem)
                    if let value = timestamp, let reason = tooFarAhead(value) {
                        problem("timestamp", reason)
                        timestamp = nil
                    }
                case "clicked":
                    if reader.readNull() { break }
                    if try reader.peekKind() == .bool {
                        clicked = try reader.readBool()
                    } else {
                        problem("clicked", "must be true or false")
                        try reader.skipValue()
                    }
                case "context": context = try Self.flatObject(&reader, "context", problem)
                case "campaign": campaign = try Self.identifier(&reader, "campaign", problem)
                case "arm": arm = try Self.identifier(&reader, "arm", problem)
                default:
                    problem(key, "is not a known field")
                    try reader.skipValue()
                }
            } while reader.consume(UInt8(ascii: ","))
            try reader.expect(UInt8(ascii: "}"))
        }
        if user == nil && !problems[before...].contains(where: { $0.field == "user" }) {
            problem("user", "is required")
        }
        if type == .exposure {
            if item != nil { problem("item", "is not used by exposure events (they name a campaign)") }
            if campaign == nil && !problems[before...].contains(where: { $0.field == "campaign" }) {
                problem("campaign", "is required for an exposure")
            }
            if arm == nil && !problems[before...].contains(where: { $0.field == "arm" }) {
                problem("arm", "is required for an exposure (control for the held-out group)")
            }
            item = item ?? ""
        } else {
            if campaign != nil { problem("campaign", "is only for exposure events") }
            if arm != nil { problem("arm", "is only for exposure events") }
            if item == nil && !problems[before...].contains(where: { $0.field == "item" }) {
                problem("item", "is required")
            }
        }
        if type == nil && !problems[before...].contains(where: { $0.field == "type" }) {
            problem("type", "is required")
        }
        if let type {
            switch type {
            case .purchase where value <= 0: problem("value", "must be a positive quantity for a purchase")
            case .returned where value <= 0: problem("value", "must be a positive quantity for a return")
            case .rating where value < 0 || value > 1000: problem("value", "must be a rating from 0 to 1000")
            default: break
            }
        }
        if abs(value) > Magnitude.maxQuantity && !problems[before...].contains(where: { $0.field == "value" }) {
            problem("value", "must be from -1e9 to 1e9")
        }
        guard problems.count == before, let user, let item, let type else { return nil }
        return Event(
            user: user,
            item: item,
            type: type,
            value: value,
            price: price,
            timestamp: timestamp ?? now,
            orderID: orderID,
            impressionID: impressionID,
            clicked: clicked,
            context: context,
            campaign: campaign,
            arm: arm
        )
    }

    /// Whether the next value is an object; otherwise records the problem and skips the value.
    static func isObject(
        _ reader: inout JSONReader,
        index: Int,
        entity: String,
        problems: inout [FieldError]
    )
        throws(JSONReader.SyntaxError) -> Bool
    {
        guard try reader.peekKind() == .object else {
            problems.append(FieldError(index: index, field: entity, reason: "must be an object"))
            try reader.skipValue()
            return false
        }
        return true
    }

    /// A string of 1 to 256 characters.
    static func identifier(
        _ reader: inout JSONReader,
        _ field: String,
        _ problem: (String, String) -> Void,
        nullable: Bool = false
    ) throws(JSONReader.SyntaxError) -> String? {
        if nullable && reader.readNull() { return nil }
        guard try reader.peekKind() == .string else {
            problem(field, "must be a string")
            try reader.skipValue()
            return nil
        }
        let text = try reader.readString()
        guard !text.isEmpty && TextLength.fits(text, atMost: maxIDBytes) else {
            problem(field, "must be 1 to \(maxIDBytes) characters long (is \(TextLength.characters(text)))")
            return nil
        }
        return text
    }

    /// A finite number.
    static func number(
        _ reader: inout JSONReader,
        _ field: String,
        _ problem: (String, String) -> Void
    )
        throws(JSONReader.SyntaxError) -> Double?
    {
        guard try reader.peekKind() == .number else {
            problem(field, "must be a number")
            try reader.skipValue()
            return nil
        }
        let value = try reader.readNumber()
        guard value.isFinite else {
            problem(field, "must be a finite number")
            return nil
        }
        return value
    }

    /// Why `timestamp` is refused as too far ahead of the clock, or nil when it is not.
    package func tooFarAhead(_ timestamp: Int64) -> String? {
        guard let skew = maxFutureSkew, timestamp > now + skew else { return nil }
        return "is \(Timestamp.format(timestamp)), more than \(skew / 1000) s after the server's clock "
            + "(events.max_future_skew_s)"
    }

    /// RFC 3339 text or Unix seconds, from 1970 to 2100.
    static func timestamp(
        _ reader: inout JSONReader,
        _ problem: (String, String) -> Void
    )
        throws(JSONReader.SyntaxError) -> Int64?
    {
        let milliseconds: Int64?
        switch try reader.peekKind() {
        case .number:
            // The range is checked on the seconds as sent: -1e-7 rounds to 0 ms but is before 1970.
            let seconds = try reader.readNumber()
            let inRange = seconds >= Double(Timestamp.minimum) / 1000 && seconds <= Double(Timestamp.maximum) / 1000
            milliseconds = inRange ? Int64((seconds * 1000).rounded()) : nil
        case .string:
            milliseconds = Timestamp.parse(try reader.readString())
            if milliseconds == nil {
                problem("timestamp", "must be RFC 3339 (2026-01-31T12:00:00Z) or Unix seconds")
                return nil
            }
        default:
            try reader.skipValue()
            milliseconds = nil
        }
        guard let milliseconds, milliseconds >= Timestamp.minimum, milliseconds <= Timestamp.maximum else {
            problem("timestamp", "must be RFC 3339 or Unix seconds between 1970 and 2100")
            return nil
        }
        return milliseconds
    }

    /// A flat object of string and number members (`context`, `attributes`); see ``FlatObject``.
    static func flatObject(
        _ reader: inout JSONReader,
        _ field: String,
        _ problem: (String, String) -> Void
    )
        throws(JSONReader.SyntaxError) -> [ContextField]
    {
        var fields: [ContextField] = []
        try FlatObject.read(&reader, field, problem) { name, value in
            let name = String(decoding: name, as: UTF8.self)
            switch value {
            case .string(let text):
                fields.append(ContextField(name: name, value: .string(String(decoding: text, as: UTF8.self))))
            case .number(let number): fields.append(ContextField(name: name, value: .number(number)))
            }
        }
        return fields
    }
}
