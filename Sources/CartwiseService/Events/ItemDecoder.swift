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
                    if !reader.consume(UInt8(ascii: "]")) {
                        var position = 0
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
                    if item.categories.count > Self.maxCategories {
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
        if !sawID { problem("id", "is required") }
        return problems.count == before ? item : nil
    }
}
