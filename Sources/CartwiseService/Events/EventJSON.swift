import HTTPCore

/// Events and items as JSON text, for responses and for NDJSON sent by `cartwise import --url`.
package enum EventJSON {
    /// One event as a JSON object in the `POST /events` shape (timestamp as RFC 3339).
    package static func encode(_ event: Event) -> String {
        var text = "{\"user\":" + JSONString.quote(event.user) + ",\"item\":" + JSONString.quote(event.item)
        text += ",\"type\":\"" + event.type.description + "\",\"value\":" + number(event.value)
        if let price = event.price { text += ",\"price\":" + number(price) }
        text += ",\"timestamp\":\"" + Timestamp.format(event.timestamp) + "\""
        if let orderID = event.orderID { text += ",\"order_id\":" + JSONString.quote(orderID) }
        if let impressionID = event.impressionID { text += ",\"impression_id\":" + JSONString.quote(impressionID) }
        if let clicked = event.clicked { text += ",\"clicked\":" + (clicked ? "true" : "false") }
        if !event.context.isEmpty { text += ",\"context\":" + fields(event.context) }
        return text + "}"
    }

    /// One item as a JSON object in the `POST /items` shape.
    package static func encode(_ item: Item) -> String {
        var text = "{\"id\":" + JSONString.quote(item.id) + ",\"title\":" + JSONString.quote(item.title)
        text += ",\"categories\":[" + item.categories.map(JSONString.quote).joined(separator: ",") + "]"
        if let price = item.price { text += ",\"price\":" + number(price) }
        text += ",\"available\":" + (item.available ? "true" : "false")
        if let stock = item.stock { text += ",\"stock\":\(stock)" }
        text += ",\"attributes\":" + fields(item.attributes)
        return text + "}"
    }

    static func fields(_ fields: [ContextField]) -> String {
        "{"
            + fields.map { field in
                let value: String
                switch field.value {
                case .string(let text): value = JSONString.quote(text)
                case .number(let number): value = EventJSON.number(number)
                }
                return JSONString.quote(field.name) + ":" + value
            }.joined(separator: ",") + "}"
    }

    /// Integral values without a fraction (`3`, not `3.0`).
    package static func number(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// ``number(_:)``'s text appended to `out`; integral values are written digit by digit
    /// without making a string (most of a risk decision's features are counts).
    package static func append(_ value: Double, to out: inout [UInt8]) {
        guard value == value.rounded() && abs(value) < 1e15 else {
            var text = String(value)
            text.withUTF8 { out.append(contentsOf: $0) }
            return
        }
        var magnitude = UInt64(abs(value))
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64) = (0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[15 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: buffer[(16 - count)...])
        }
    }
}
