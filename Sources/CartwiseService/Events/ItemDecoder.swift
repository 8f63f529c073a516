/// Reads and validates catalog items (`POST /items` entries and import lines).
package struct ItemDecoder: Sendable {
    package static let maxTitleBytes = 1024
    package static let maxCategories = 32
    package static let maxCategoryBytes = 128

    package init() {}

    /// Reads one item object.
    /// - Returns: the item, or nil when `problems` received at least one entry.
    /// - Throws: only JSON syntax errors.
    package func decode(
        _ reader: inout JSONReader,
        index: Int,
        problems: inout [FieldError]
    )
        throws(JSONReader.SyntaxError) -> Item?
    {
        var present: Set<String> = []
        return try decode(&reader, index: index, problems: &problems, requireID: true, present: &present)
    }

    /// A JSON merge patch (RFC 7396) of item `id`, applied to `current`: members present replace
    /// the item's, `null` clears an optional one (title, categories, price, stock, attributes),
    /// absent ones are kept. `POST /items` replaces the whole item; this changes what is named.
    /// - Parameters:
    ///   - body: the patch, one JSON object.
    ///   - id: the item's id (from the path).
    ///   - current: the item as stored.
    /// - Returns: the item with the patch applied.
    /// - Throws: ``APIError`` naming the field: one the item does not have, a bad value, or an
    ///   `id` other than the item's.
    package func patch(_ body: [UInt8], id: String, current: Item) throws(APIError) -> Item {
        var problems: [FieldError] = []
        var present: Set<String> = []
        var patch: Item?
        do {
            try body.withUnsafeBufferPointer { buffer throws(JSONReader.SyntaxError) in
                var reader = JSONReader(buffer)
                reader.skipWhitespace()
                patch = try decode(&reader, index: 0, problems: &problems, requireID: false, present: &present)
                reader.skipWhitespace()
                if !reader.isAtEnd { throw reader.error("unexpected data after the object") }
            }
        } catch {
            throw .malformedBody(reason: error.description)
        }
        if let problem = problems.first {
            throw .invalidField(field: problem.field == "(item)" ? "(body)" : problem.field, reason: problem.reason)
        }
        guard let patch else { throw .invalidField(field: "(body)", reason: "must be a JSON object") }
        if present.contains("id") && patch.id != id {
            throw .invalidField(field: "id", reason: "cannot change: the item is '\(id)' (POST /items creates another)")
        }
        var merged = current
        if present.contains("title") { merged.title = patch.title }
        if present.contains("categories") { merged.categories = patch.categories }
        if present.contains("price") { merged.price = patch.price }
        if present.contains("available") { merged.available = patch.available }
        if present.contains("hidden") { merged.hidden = patch.hidden }
        if present.contains("stock") { merged.stock = patch.stock }
        if present.contains("attributes") { merged.attributes = patch.attributes }
        return merged
    }

    private func decode(
        _ reader: inout JSONReader,
        index: Int,
        problems: inout [FieldError],
        requireID: Bool,
        present: inout Set<String>
    )
        throws(JSONReader.SyntaxError) -> Item?
    {
        guard try EventDecoder.isObject(&reader, index: index, entity: "(item)", problems: &problems) else {
            return nil
        }
        var item = Item(id: "")
        var sawID = false
        let before = problems.count
        func problem(_ field: String, _ reason: String) {
            problems.append(FieldError(index: index, field: field, reason: reason))
        }
        try reader.expect(UInt8(ascii: "{"))
        if !reader.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try reader.readString()
                try reader.expect(UInt8(ascii: ":"))
                present.insert(key)
                switch key {
                case "id":
                    sawID = true
                    if let id = try EventDecoder.identifier(&reader, "id", problem) { item.id = id }
                case "title":
                    if reader.readNull() { break }
                    guard try reader.peekKind() == .string else {
                        problem("title", "must be a string")
                        try reader.skipValue()
                        break
                    }
                    let title = try reader.readString()
                    if !TextLength.fits(title, atMost: Self.maxTitleBytes) {
                        problem("title", "must be at most \(Self.maxTitleBytes) characters long")
                    } else {
                        item.title = title
                    }
                case "categories":
                    if reader.readNull() { break }
                    guard try reader.peekKind() == .array else {
                        problem("categories", "must be an array of strings")
                        try reader.skipValue()
                        break
                    }
                    try reader.expect(UInt8(ascii: "["))
                    // Counted as sent (the schema's maxItems), before repeats are dropped.
                    var position = 0
                    if !reader.consume(UInt8(ascii: "]")) {
                        repeat {
                            let path = "categories[\(position)]"
                            if try reader.peekKind() == .string {
                                let category = try reader.readString()
                                if category.isEmpty || !TextLength.fits(category, atMost: Self.maxCategoryBytes) {
                                    problem(path, "must be 1 to \(Self.maxCategoryBytes) characters long")
                                } else if !item.categories.contains(category) {
                                    item.categories.append(category)
                                }
                            } else {
                                problem(path, "must be a string")
                                try reader.skipValue()
                            }
                            position += 1
                        } while reader.consume(UInt8(ascii: ","))
                        try reader.expect(UInt8(ascii: "]"))
                    }
                    if position > Self.maxCategories {
                        problem("categories", "has more than \(Self.maxCategories) entries")
                    }
                case "price":
                    if reader.readNull() { break }
                    if let price = try EventDecoder.number(&reader, "price", problem) {
                        if price < 0 {
                            problem("price", "must not be negative")
                        } else if price > Magnitude.maxMoney {
                            problem("price", Magnitude.moneyProblem)
                        } else {
                            item.price = price
                        }
                    }
                case "available":
                    if try reader.peekKind() == .bool {
                        item.available = try reader.readBool()
                    } else {
                        problem("available", "must be true or false")
                        try reader.skipValue()
                    }
                case "hidden":
                    if try reader.peekKind() == .bool {
                        item.hidden = try reader.readBool()
                    } else {
                        problem("hidden", "must be true or false")
                        try reader.skipValue()
                    }
                case "stock":
                    if reader.readNull() { break }
                    if let stock = try EventDecoder.number(&reader, "stock", problem) {
                        if stock < 0 || stock != stock.rounded() || stock > 1e12 {
                            problem("stock", "must be a whole number of at least 0")
                        } else {
                            item.stock = Int(stock)
                        }
                    }
                case "attributes":
                    item.attributes = try EventDecoder.flatObject(&reader, "attributes", problem)
                default:
                    problem(key, "is not a known field")
                    try reader.skipValue()
                }
            } while reader.consume(UInt8(ascii: ","))
            try reader.expect(UInt8(ascii: "}"))
        }
        if !sawID && requireID { problem("id", "is required") }
        return problems.count == before ? item : nil
    }
}
