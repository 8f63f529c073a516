package import CartwiseModels

/// `POST /rank`'s body: `{"user", "context", "items": [{"item", "context"}], "k", "timestamp"}`.
///
/// Read with ``JSONReader`` rather than `Codable`: a 100-item request is the common case and has
/// a 2 ms p99 budget, and every problem is reported with its path (`items[3].context.page`).
package struct RankRequest: Sendable, Equatable {
    package struct Entry: Sendable, Equatable {
        package var item: String
        /// The item's own context fields: positions in ``RankRequest/itemContexts``' fields.
        package var context: Range<Int>

        package init(item: String, context: Range<Int> = 0..<0) {
            self.item = item
            self.context = context
        }
    }

    package var user: String
    package var context: [ContextField]
    package var items: [Entry]
    /// Every item's own context, already hashed as the click model's tokens (see
    /// ``ItemContextDecoder``), one after another.
    package var itemContexts: CTRFeatures.Tokens
    package var k: Int
    /// When the items are shown (milliseconds; the hour and weekday features), default now.
    package var timestamp: Int64

    package static let maxItems = 1000

    /// - Throws: ``APIError/invalidField(field:reason:)`` for the first problem, or
    ///   ``APIError/malformedBody(reason:)`` for invalid JSON.
    package init(body: [UInt8], now: Int64) throws(APIError) {
        var problems: [(field: String, reason: String)] = []
        var user = ""
        var context: [ContextField] = []
        var items: [Entry]?
        var itemContexts = CTRFeatures.Tokens()
        var k: Int?
        var timestamp: Int64?
        func problem(_ field: String, _ reason: String) { problems.append((field, reason)) }
        try JSONObjectBody.read(body, problem: problem) {
            key,
            reader throws(JSONReader.SyntaxError) in
            switch key {
            case "user":
                if reader.readNull() { break }
                user = try EventDecoder.identifier(&reader, "user", { problems.append(($0, $1)) }) ?? ""
            case "context":
                context = try EventDecoder.flatObject(&reader, "context") { problems.append(($0, $1)) }
            case "k":
                let number = try EventDecoder.number(&reader, "k") { problems.append(($0, $1)) }
                if let number {
                    if number.rounded() == number, number >= 1, number <= Double(Self.maxItems) {
                        k = Int(number)
                    } else {
                        problems.append(("k", "must be an integer from 1 to \(Self.maxItems)"))
                    }
                }
            case "timestamp":
                timestamp = try EventDecoder.timestamp(&reader) { problems.append(($0, $1)) }
            case "items":
                items = try Self.entries(&reader, into: &itemContexts) { problems.append(($0, $1)) }
            default:
                problems.append((key, "is not a known field"))
                try reader.skipValue()
            }
        }
        if items == nil && problems.isEmpty { problems.append(("items", "is required")) }
        if let first = problems.first { throw .invalidField(field: first.field, reason: first.reason) }
        self.user = user
        self.context = context
        self.items = items ?? []
        self.itemContexts = itemContexts
        self.k = min(k ?? Self.maxItems, self.items.count)
        self.timestamp = timestamp ?? now
    }

    private static func entries(
        _ reader: inout JSONReader,
        into contexts: inout CTRFeatures.Tokens,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) -> [Entry]? {
        guard try reader.peekKind() == .array else {
            problem("items", "must be an array of {\"item\", \"context\"} objects")
            try reader.skipValue()
            return nil
        }
        var entries: [Entry] = []
        try reader.expect(UInt8(ascii: "["))
        if reader.consume(UInt8(ascii: "]")) {
            problem("items", "must hold at least one item")
            return nil
        }
        repeat {
            let index = entries.count
            // The path is only built when there is a problem to report.
            func entryProblem(_ field: String, _ reason: String) { problem("items[\(index)]." + field, reason) }
            guard try reader.peekKind() == .object else {
                problem("items[\(index)]", "must be an object with an item")
                try reader.skipValue()
                entries.append(Entry(item: ""))
                continue
            }
            var item: String?
            var context = contexts.fields.count..<contexts.fields.count
            try reader.expect(UInt8(ascii: "{"))
            if !reader.consume(UInt8(ascii: "}")) {
                repeat {
                    if reader.consumeKey("item") {
                        try reader.expect(UInt8(ascii: ":"))
                        item = try EventDecoder.identifier(&reader, "item", entryProblem)
                    } else if reader.consumeKey("context") {
                        try reader.expect(UInt8(ascii: ":"))
                        context = try ItemContextDecoder.read(&reader, into: &contexts, entryProblem)
                    } else {
                        let key = try reader.readString()
                        try reader.expect(UInt8(ascii: ":"))
                        entryProblem(key, "is not a known field")
                        try reader.skipValue()
                    }
                } while reader.consume(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "}"))
            }
            if item == nil { entryProblem("item", "is required") }
            entries.append(Entry(item: item ?? "", context: context))
            if entries.count > maxItems {
                problem("items", "must hold at most \(maxItems) items")
                while reader.consume(UInt8(ascii: ",")) { try reader.skipValue() }
                try reader.expect(UInt8(ascii: "]"))
                return nil
            }
        } while reader.consume(UInt8(ascii: ","))
        try reader.expect(UInt8(ascii: "]"))
        return entries
    }
}
