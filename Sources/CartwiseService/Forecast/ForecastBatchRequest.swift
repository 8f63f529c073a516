/// `POST /forecast/batch`: `{"items": ["a", "b"], "horizon"?, "levels"?: [80, 95]}`, at most
/// 1,000 items.
package struct ForecastBatchRequest: Sendable, Equatable {
    package static let maxItems = 1_000

    package var items: [String]
    package var horizon: Int?
    package var levels: [Double]

    /// - Throws: ``APIError`` naming the field.
    package static func decode(_ body: [UInt8]) throws(APIError) -> ForecastBatchRequest {
        var problems: [(field: String, reason: String)] = []
        func problem(_ field: String, _ reason: String) { problems.append((field, reason)) }
        var items: [String]?
        var horizon: Int?
        var levels: [Double] = [80, 95]
        try JSONObjectBody.read(body, problem: problem) { key, reader throws(JSONReader.SyntaxError) in
            switch key {
            case "items":
                guard try reader.peekKind() == .array else {
                    problem(key, "must be an array of item or series ids")
                    try reader.skipValue()
                    return
                }
                var list: [String] = []
                try reader.expect(UInt8(ascii: "["))
                if !reader.consume(UInt8(ascii: "]")) {
                    repeat {
                        let path = "items[\(list.count)]"
                        if list.count >= maxItems {
                            problem(key, "has more than \(maxItems) ids")
                            try reader.skipValue()
                        } else if let id = try EventDecoder.identifier(&reader, path, problem) {
                            list.append(id)
                        } else {
                            list.append("")
                        }
                    } while reader.consume(UInt8(ascii: ","))
                    try reader.expect(UInt8(ascii: "]"))
                }
                items = list
            case "horizon":
                if let value = try EventDecoder.number(&reader, key, problem) {
                    if value == value.rounded(), (1...90).contains(value) {
                        horizon = Int(value)
                    } else {
                        problem(key, "must be an integer from 1 to 90 (capped at the series' longest horizon)")
                    }
                }
            case "levels":
                guard try reader.peekKind() == .array else {
                    problem(key, "must be an array of percentages")
                    try reader.skipValue()
                    return
                }
                var list: [Double] = []
                try reader.expect(UInt8(ascii: "["))
                if !reader.consume(UInt8(ascii: "]")) {
                    repeat {
                        let path = "levels[\(list.count)]"
                        if let value = try EventDecoder.number(&reader, path, problem) {
                            if ForecastQuery.isLevel(value) {
                                list.append(value)
                            } else {
                                problem(path, "must be above 0 and at most 99.9999")
                            }
                        }
                    } while reader.consume(UInt8(ascii: ","))
                    try reader.expect(UInt8(ascii: "]"))
                }
                if list.isEmpty || list.count > 5 { problem(key, "must list 1 to 5 levels") }
                levels = list
            default:
                problem(key, "is not a known field")
                try reader.skipValue()
            }
        }
        if problems.isEmpty && (items?.isEmpty ?? true) { problems.append(("items", "must list at least one id")) }
        if let first = problems.first { throw .invalidField(field: first.field, reason: first.reason) }
        return ForecastBatchRequest(items: items!, horizon: horizon, levels: levels)
    }
}
