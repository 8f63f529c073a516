/// Reads a labelled CTR file (CSV with a header: a label column and feature columns, as in
/// `../shared/eval/data/ctr/`) into labelled impressions for the click model.
///
/// `user_id` and `item_id` columns (when present) become the impression's user and item, a
/// `timestamp` column its time (Unix seconds; the hour and weekday features come from it), and
/// every other column a context field: a string, or a number when listed in `numericColumns`
/// (counts such as Criteo's I1..I13 are log-binned, identifiers stay categorical). An empty
/// value is kept as the empty string: a missing value is informative.
package struct CTRImporter {
    package var path: String
    package var numericColumns: Set<String>
    package var now: Int64
    package var batchSize = 10_000

    package init(path: String, numericColumns: Set<String> = [], now: Int64) {
        self.path = path
        self.numericColumns = numericColumns
        self.now = now
    }

    /// Reads the file and hands batches of impressions to `sink`; a bad row stops nothing until
    /// the end, where ``ImportError/invalidRows(_:total:)`` lists the first 20.
    /// - Returns: how many impressions were handed to `sink`.
    @discardableResult
    package func run(_ sink: ([Event], Int) throws -> Void) throws -> Int {
        let reader = LineReader(path: path)
        var header: [String]?
        var label = 0
        var user: Int?
        var item: Int?
        var time: Int?
        var numeric: [Bool] = []
        var batch: [Event] = []
        var count = 0
        var problems: [String] = []
        var problemCount = 0
        var lastOffset = 0
        try reader.forEachLine { line, bytes, offset in
            lastOffset = offset
            guard !bytes.isEmpty else { return true }
            guard let names = header else {
                let found = CSVRow.split(bytes).map { $0.trimmingCharacters(in: " ") }
                guard
                    let labelIndex = found.firstIndex(where: {
                        $0.lowercased() == "label" || $0.lowercased() == "clicked"
                    })
                else {
                    throw ImportError.missingColumns(found: found)
                }
                label = labelIndex
                user = found.firstIndex { $0.lowercased() == "user_id" || $0.lowercased() == "user" }
                item = found.firstIndex { $0.lowercased() == "item_id" || $0.lowercased() == "item" }
                time = found.firstIndex { $0.lowercased() == "timestamp" }
                numeric = found.map { numericColumns.contains($0) }
                header = found
                return true
            }
            let fields = CSVRow.fields(bytes)
            func fail(_ reason: String) {
                problemCount += 1
                if problems.count < 20 { problems.append("line \(line): \(reason)") }
            }
            guard fields.count == names.count else {
                fail("has \(fields.count) fields, the header has \(names.count)")
                return true
            }
            let clicked: Bool
            switch fields.text(label) ?? "" {
            case "1", "true": clicked = true
            case "0", "-1", "false": clicked = false
            case let other:
                fail("label '\(other)' is not 0 or 1")
                return true
            }
            var timestamp = now
            if let time, let text = fields.text(time), !text.isEmpty {
                guard let seconds = Double(text), seconds.isFinite, abs(seconds) < 1e11 else {
                    fail("timestamp '\(text)' is not Unix seconds")
                    return true
                }
                timestamp = Int64((seconds * 1000).rounded())
            }
            var context: [ContextField] = []
            context.reserveCapacity(names.count)
            for index in names.indices where index != label && index != user && index != item && index != time {
                let text = fields.text(index) ?? ""
                if numeric[index], !text.isEmpty {
                    guard let number = Double(text), number.isFinite else {
                        fail("\(names[index]) '\(text)' is not a number")
                        return true
                    }
                    context.append(ContextField(name: names[index], value: .number(number)))
                } else {
                    context.append(ContextField(name: names[index], value: .string(text)))
                }
            }
            guard problemCount == 0 else { return true }
            batch.append(
                Event(
                    user: user.flatMap { fields.text($0) } ?? "",
                    item: item.flatMap { fields.text($0) } ?? "",
                    type: .impression,
                    value: 1,
                    timestamp: timestamp,
                    clicked: clicked,
                    context: context
                )
            )
            count += 1
            if batch.count == batchSize {
                try sink(batch, offset)
                batch.removeAll(keepingCapacity: true)
            }
            return true
        }
        guard header != nil else { throw ImportError.empty(path) }
        guard problemCount == 0 else { throw ImportError.invalidRows(problems, total: problemCount) }
        if !batch.isEmpty { try sink(batch, lastOffset) }
        guard count > 0 else { throw ImportError.empty(path) }
        return count
    }
}
