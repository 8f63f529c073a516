/// The framing shared by `POST /events` and `POST /items`: either `{"<kind>": [ ... ]}` as JSON, or
/// one object per line as NDJSON. Every entry is validated; one bad entry rejects the batch.
package struct BatchDecoder {
    /// `events` or `items`: the envelope key and the word used in messages.
    package var kind: String
    /// Most entries per batch.
    package var maxEntries: Int

    package init(kind: String, maxEntries: Int) {
        self.kind = kind
        self.maxEntries = maxEntries
    }

    /// Decodes `body` as `contentType` with `element` for each entry.
    /// - Parameters:
    ///   - body: the request body.
    ///   - contentType: `application/json` or `application/x-ndjson` (parameters ignored).
    ///   - element: reads one entry, appending its problems to the list; nil when it is invalid.
    /// - Returns: every entry, in order.
    /// - Throws: ``IngestError``; then nothing of the batch may be stored.
    package func decode<T>(
        _ body: [UInt8],
        contentType: String?,
        element: (inout JSONReader, Int, inout [FieldError]) throws(JSONReader.SyntaxError) -> T?
    ) throws(IngestError) -> [T] {
        let media =
            (contentType ?? "application/json").split(separator: ";").first.map {
                $0.trimmingCharacters(in: " ").lowercased()
            } ?? ""
        var entries: [T] = []
        var errors: [FieldError] = []
        var total = 0
        func record(_ problems: [FieldError]) {
            total += problems.count
            for problem in problems where errors.count < IngestError.maxListed { errors.append(problem) }
        }
        try body.withUnsafeBufferPointer { (bytes) throws(IngestError) in
            switch media {
            case "application/json", "text/json":
                var reader = JSONReader(bytes)
                do throws(JSONReader.SyntaxError) {
                    try reader.expect(UInt8(ascii: "{"))
                    var sawEnvelope = false
                    if !reader.consume(UInt8(ascii: "}")) {
                        repeat {
                            let key = try reader.readString()
                            try reader.expect(UInt8(ascii: ":"))
                            guard key == kind else {
                                record([
                                    FieldError(
                                        index: nil,
                                        field: key,
                                        reason: "is not a known field (want \"\(kind)\")"
                                    )
                                ])
                                try reader.skipValue()
                                continue
                            }
                            sawEnvelope = true
                            guard try reader.peekKind() == .array else {
                                record([FieldError(index: nil, field: kind, reason: "must be an array")])
                                try reader.skipValue()
                                continue
                            }
                            try reader.expect(UInt8(ascii: "["))
                            if !reader.consume(UInt8(ascii: "]")) {
                                var index = 0
                                repeat {
                                    guard index < maxEntries else {
                                        throw JSONReader.SyntaxError(offset: reader.offset, reason: "too many")
                                    }
                                    var problems: [FieldError] = []
                                    if let entry = try element(&reader, index, &problems) { entries.append(entry) }
                                    record(problems)
                                    index += 1
                                } while reader.consume(UInt8(ascii: ","))
                                try reader.expect(UInt8(ascii: "]"))
                            }
                        } while reader.consume(UInt8(ascii: ","))
                        try reader.expect(UInt8(ascii: "}"))
                    }
                    guard reader.peek() == nil else { throw reader.error("unexpected data after the JSON value") }
                    if !sawEnvelope { record([FieldError(index: nil, field: kind, reason: "is required")]) }
                } catch let error where error.reason == "too many" {
                    throw .tooManyEntries(kind: kind, count: maxEntries + 1, limit: maxEntries)
                } catch {
                    throw .syntax(error, line: nil)
                }
            case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/jsonlines":
                var start = 0
                var line = 0
                var index = 0
                while start < bytes.count {
                    var end = start
                    while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                    var reader = JSONReader(bytes, start: start, end: end)
                    if reader.peek() != nil {
                        guard index < maxEntries else {
                            throw .tooManyEntries(kind: kind, count: index + 1, limit: maxEntries)
                        }
                        do throws(JSONReader.SyntaxError) {
                            var problems: [FieldError] = []
                            if let entry = try element(&reader, index, &problems) { entries.append(entry) }
                            record(problems)
                            guard reader.peek() == nil else { throw reader.error("more than one value on the line") }
                        } catch {
                            throw .syntax(error, line: line)
                        }
                        index += 1
                    }
                    start = end + 1
                    line += 1
                }
            default:
                throw .unsupportedMediaType(contentType ?? "")
            }
        }
        guard total == 0 else {
            throw .invalid(kind: kind, errors: errors, total: total, batchSize: max(entries.count, errors.count))
        }
        guard !entries.isEmpty else { throw .empty(kind: kind) }
        return entries
    }
}

extension Substring {
    func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
