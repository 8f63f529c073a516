import HTTPCore

/// Events and items as JSON text, for responses and for NDJSON sent by `cartwise import --url`.
package enum EventJSON {
    /// One event as a JSON object in the `POST /events` shape (timestamp as RFC 3339).
    package static func encode(_ event: Event) -> String {
        var text = "{\"user\":" + JSONString.quote(event.user) + ",\"item\":" + JSONString.quote(event.item)
        text += ",\"type\":\"" + event.type.description + "\",\"value\":" + JSONWriter.number(event.value)
        if let price = event.price { text += ",\"price\":" + JSONWriter.number(price) }
        text += ",\"timestamp\":\"" + Timestamp.format(event.timestamp) + "\""
        if let orderID = event.orderID { text += ",\"order_id\":" + JSONString.quote(orderID) }
        if let impressionID = event.impressionID { text += ",\"impression_id\":" + JSONString.quote(impressionID) }
        if let clicked = event.clicked { text += ",\"clicked\":" + (clicked ? "true" : "false") }
        if let campaign = event.campaign { text += ",\"campaign\":" + JSONString.quote(campaign) }
        if let arm = event.arm { text += ",\"arm\":" + JSONString.quote(arm) }
        if !event.context.isEmpty { text += ",\"context\":" + fields(event.context) }
        return text + "}"
    }

    /// One item as a JSON object in the `POST /items` shape.
    package static func encode(_ item: Item) -> String {
        var text = "{\"id\":" + JSONString.quote(item.id) + ",\"title\":" + JSONString.quote(item.title)
        text += ",\"categories\":[" + item.categories.map(JSONString.quote).joined(separator: ",") + "]"
        if let price = item.price { text += ",\"price\":" + JSONWriter.number(price) }
        text += ",\"available\":" + (item.available ? "true" : "false")
        if item.hidden { text += ",\"hidden\":true" }
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
                case .number(let number): value = JSONWriter.number(number)
                }
                return JSONString.quote(field.name) + ":" + value
            }.joined(separator: ",") + "}"
    }
}
