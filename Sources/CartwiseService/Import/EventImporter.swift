/// Reads events from a CSV file (`user_id,item_id,weight,timestamp` and optional `type`, `price`,
/// `order_id` columns) or an NDJSON file (one `POST /events` object per line).
///
/// The file is read twice: the first pass validates every row, so that a bad row stops the import
/// before anything is written; the second encodes batches for the log.
package struct EventImporter {
    package enum Format: Sendable, Equatable {
        case csv
        case ndjson
    }

    package var path: String
    package var format: Format
    /// The event type of CSV rows without a `type` column (`rating` for MovieLens-style files).
    package var defaultType: EventType
    /// Server time, for rows without a timestamp.
    package var now: Int64
    /// How far past `now` a timestamp may be (milliseconds; nil: up to 2100).
    package var maxFutureSkew: Int64?
    package var batchSize = 10_000

    package init(path: String, format: Format? = nil, defaultType: EventType = .rating, now: Int64) {
        self.path = path
        self.format = format ?? (path.hasSuffix(".ndjson") || path.hasSuffix(".jsonl") ? .ndjson : .csv)
        self.defaultType = defaultType
        self.now = now
    }

    /// Reads the file once and hands batches of valid events to `sink` as it goes.
    ///
    /// A bad row does not stop the reading: every problem is collected (the first 20 are listed)
    /// and ``ImportError/invalidRows(_:total:)`` is thrown at the end, so the caller can undo what
    /// `sink` wrote (offline import rolls the log back) and the user sees every bad line at once.
    /// - Returns: how many events were handed to `sink`.
    /// - Throws: ``ImportError``, a read error, or what `sink` throws.
    @discardableResult
    package func run(_ sink: ([Event], Int) throws -> Void) throws -> Int {
        var batch: [Event] = []
        batch.reserveCapacity(batchSize)
        var count = 0
        var lastBytes = 0
        var problems: [String] = []
        var problemCount = 0
        try scan { line, event, error, bytes in
            lastBytes = bytes
            if let error {
                problemCount += 1
                if problems.count < 20 { problems.append("line \(line): \(error)") }
                return
            }
            guard let event, problemCount == 0 else { return }
            batch.append(event)
            count += 1
            if batch.count == batchSize {
                try sink(batch, bytes)
                batch.removeAll(keepingCapacity: true)
            }
        }
        guard problemCount == 0 else { throw ImportError.invalidRows(problems, total: problemCount) }
        if !batch.isEmpty { try sink(batch, lastBytes) }
        guard count > 0 else { throw ImportError.empty(path) }
        return count
    }

    /// Checks every row without importing anything.
    /// - Returns: how many events the file holds.
    /// - Throws: ``ImportError`` listing the first invalid rows, or a read error.
    package func validate() throws -> Int {
        try run { _, _ in }
    }

    private func scan(_ body: (Int, Event?, String?, Int) throws -> Void) throws {
        let reader = LineReader(path: path)
        switch format {
        case .ndjson:
            let decoder = EventDecoder(now: now, maxFutureSkew: maxFutureSkew)
            try reader.forEachLine { line, bytes, offset in
                var json = JSONReader(bytes)
                guard json.peek() != nil else { return true }
                var problems: [FieldError] = []
                do {
                    let event = try decoder.decode(&json, index: line - 1, problems: &problems)
                    if json.peek() != nil { throw json.error("more than one value on the line") }
                    try body(line, event, problems.first.map { "\($0.field) \($0.reason)" }, offset)
                } catch let error as JSONReader.SyntaxError {
                    try body(line, nil, error.description, offset)
                }
                return true
            }
        case .csv:
            let clock = EventDecoder(now: now, maxFutureSkew: maxFutureSkew)
            var columns: CSVColumns?
            try reader.forEachLine { line, bytes, offset in
                guard !bytes.isEmpty else { return true }
                guard let known = columns else {
                    columns = try CSVColumns(header: CSVRow.split(bytes))
                    return true
                }
                switch known.event(CSVRow.fields(bytes), defaultType: defaultType, now: now) {
                case .success(let event):
                    if let reason = clock.tooFarAhead(event.timestamp) {
                        try body(line, nil, "timestamp " + reason, offset)
                    } else {
                        try body(line, event, nil, offset)
                    }
                case .failure(let error): try body(line, nil, error.reason, offset)
                }
                return true
            }
            if columns == nil { throw ImportError.empty(path) }
        }
    }
}

/// Where each known column is in a CSV header.
struct CSVColumns {
    var user: Int
    var item: Int
    var value: Int?
    var timestamp: Int?
    var type: Int?
    var price: Int?
    var orderID: Int?

    struct RowError: Error {
        var reason: String
    }

    init(header: [Substring]) throws {
        let names = header.map { Substring($0.lowercased()).trimmingCharacters(in: " ") }
        func find(_ candidates: String...) -> Int? { names.firstIndex { candidates.contains($0) } }
        guard let user = find("user_id", "user"), let item = find("item_id", "item") else {
            throw ImportError.missingColumns(found: names)
        }
        self.user = user
        self.item = item
        value = find("weight", "value", "rating", "quantity")
        timestamp = find("timestamp", "time", "ts")
        type = find("type", "event_type")
        price = find("price")
        orderID = find("order_id")
    }

    func event(_ fields: CSVRow.Fields, defaultType: EventType, now: Int64) -> Result<Event, RowError> {
        func field(_ index: Int?) -> String? {
            guard let index else { return nil }
            return fields.text(index)
        }
        guard let user = field(user), TextLength.fits(user, atMost: EventDecoder.maxIDBytes) else {
            return .failure(RowError(reason: "user_id must be 1 to 256 characters long"))
        }
        guard let item = field(item), TextLength.fits(item, atMost: EventDecoder.maxIDBytes) else {
            return .failure(RowError(reason: "item_id must be 1 to 256 characters long"))
        }
        var eventType = defaultType
        if let name = field(type) {
            guard let parsed = EventType(name: name) else {
                return .failure(RowError(reason: "type '\(name)' is unknown"))
            }
            eventType = parsed
        }
        var value = 1.0
        if let index = self.value, fields.isPresent(index) {
            guard let number = fields.number(index), number.isFinite, abs(number) <= Magnitude.maxQuantity else {
                return .failure(
                    RowError(reason: "weight '\(fields.text(index) ?? "")' is not a number from -1e9 to 1e9")
                )
            }
            value = number
        }
        if (eventType == .purchase || eventType == .returned) && value <= 0 {
            return .failure(RowError(reason: "a \(eventType) needs a positive quantity"))
        }
        if eventType == .rating && (value < 0 || value > 1000) {
            return .failure(RowError(reason: "rating must be from 0 to 1000"))
        }
        var timestamp = now
        if let index = self.timestamp, fields.isPresent(index), let seconds = fields.number(index), seconds.isFinite,
            abs(seconds) < 1e13
        {
            timestamp = Int64((seconds * 1000).rounded())
            guard timestamp >= Timestamp.minimum && timestamp <= Timestamp.maximum else {
                return .failure(RowError(reason: "timestamp must be between 1970 and 2100"))
            }
        } else if let text = field(self.timestamp) {
            if let seconds = Double(text), seconds.isFinite, abs(seconds) < 1e13 {
                timestamp = Int64((seconds * 1000).rounded())
            } else if let parsed = Timestamp.parse(text) {
                timestamp = parsed
            } else {
                return .failure(RowError(reason: "timestamp '\(text)' is neither Unix seconds nor RFC 3339"))
            }
            guard timestamp >= Timestamp.minimum && timestamp <= Timestamp.maximum else {
                return .failure(RowError(reason: "timestamp must be between 1970 and 2100"))
            }
        }
        var price: Double?
        if let text = field(self.price) {
            guard let number = Double(text), number.isFinite, number >= 0, number <= Magnitude.maxMoney else {
                return .failure(RowError(reason: "price '\(text)' is not a number from 0 to 1e12"))
            }
            price = number
        }
        return .success(
            Event(
                user: user,
                item: item,
                type: eventType,
                value: value,
                price: price,
                timestamp: timestamp,
                orderID: field(orderID)
            )
        )
    }
}

/// Why an import did not run.
package enum ImportError: Error, CustomStringConvertible {
    case invalidRows([String], total: Int)
    case missingColumns(found: [String])
    case empty(String)
    case rejectedByServer(status: Int, detail: String)

    package var description: String {
        switch self {
        case .invalidRows(let rows, let total):
            return "\(total) invalid row\(total == 1 ? "" : "s"); nothing was imported:\n  "
                + rows.joined(separator: "\n  ")
                + (total > rows.count ? "\n  ..." : "")
        case .missingColumns(let found):
            return "the CSV header needs user_id and item_id columns (found: \(found.joined(separator: ",")))"
        case .empty(let path): return "\(path) holds no rows to import"
        case .rejectedByServer(let status, let detail): return "the server answered \(status): \(detail)"
        }
    }
}
