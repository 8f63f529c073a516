/// Reads series from CSV (`series_id,timestamp,value`, as in `../shared/eval/data/forecast/`):
/// `timestamp` is a date (`YYYY-MM-DD`) or an integer period index, one kind per series. Rows may
/// come in any order; a series' rows are gathered before it is handed over.
package struct SeriesImporter {
    package var path: String
    package var frequency: Frequency
    package var seasonLength: Int?
    /// Series per record of the `series/` log.
    package var batchSize = 200
    /// The last day (since 1970-01-01) a dated point may fall on: today plus
    /// `events.max_future_skew_s`, as `POST /series` checks it (nil: no limit).
    package var latestDay: Int?

    package init(path: String, frequency: Frequency, seasonLength: Int?) {
        self.path = path
        self.frequency = frequency
        self.seasonLength = seasonLength
    }

    /// Reads the file and hands over batches of series with the number of points in them.
    /// - Parameter sink: receives each batch (encoded as a `POST /series` body), its point
    ///   count and the file offset reached.
    /// - Returns: how many points were handed over.
    /// - Throws: ``ImportError`` for a bad file (nothing is handed over then), or what `sink` throws.
    @discardableResult
    package func run(_ sink: ([UInt8], Int, Int) throws -> Void) throws -> (series: Int, points: Int) {
        let latestPeriod = latestDay.map(frequency.period(ofDay:))
        let reader = LineReader(path: path)
        var columns: (id: Int, time: Int, value: Int)?
        var order: [String] = []
        var rows: [String: [(time: String, value: Double)]] = [:]
        var problems: [String] = []
        var problemCount = 0
        var lastOffset = 0
        try reader.forEachLine { line, bytes, offset in
            lastOffset = offset
            guard !bytes.isEmpty else { return true }
            guard let found = columns else {
                let names = CSVRow.split(bytes).map { $0.trimmingCharacters(in: " ").lowercased() }
                func column(_ candidates: String...) -> Int? { names.firstIndex { candidates.contains($0) } }
                guard let id = column("series_id", "id", "item", "unique_id"),
                    let time = column("timestamp", "t", "date", "ds"), let value = column("value", "y")
                else { throw ImportError.missingColumns(found: names) }
                columns = (id, time, value)
                return true
            }
            let fields = CSVRow.fields(bytes)
            guard let id = fields.text(found.id), !id.isEmpty, TextLength.fits(id, atMost: 256) else {
                problemCount += 1
                if problems.count < 20 { problems.append("line \(line): series_id must be 1 to 256 characters") }
                return true
            }
            guard let time = fields.text(found.time), !time.isEmpty else {
                problemCount += 1
                if problems.count < 20 { problems.append("line \(line): timestamp is empty") }
                return true
            }
            guard let value = fields.number(found.value), value.isFinite, abs(value) < 1e15 else {
                problemCount += 1
                if problems.count < 20 { problems.append("line \(line): value must be a finite number") }
                return true
            }
            if rows[id] == nil { order.append(id) }
            rows[id, default: []].append((time, value))
            return true
        }
        guard columns != nil else { throw ImportError.empty(path) }
        var uploads: [SeriesUpload] = []
        for id in order {
            var points: [SeriesUpload.Point] = []
            var indexed: Bool?
            for row in rows[id]! {
                let period: Int
                let isIndex: Bool
                if let index = Int(row.time) {
                    (period, isIndex) = (index, true)
                } else if let date = Frequency.parseDate(row.time) {
                    (period, isIndex) = (frequency.period(year: date.year, month: date.month, day: date.day), false)
                    if let latestPeriod, period > latestPeriod {
                        problemCount += 1
                        if problems.count < 20 {
                            problems.append(
                                "series \(id): timestamp '\(row.time)' is after today plus events.max_future_skew_s"
                            )
                        }
                        continue
                    }
                } else {
                    problemCount += 1
                    if problems.count < 20 {
                        problems.append("series \(id): timestamp '\(row.time)' is neither a date nor an integer")
                    }
                    continue
                }
                if let indexed, indexed != isIndex {
                    problemCount += 1
                    if problems.count < 20 { problems.append("series \(id): mixes dates and period indexes") }
                    break
                }
                indexed = isIndex
                points.append(SeriesUpload.Point(period: period, value: row.value))
            }
            uploads.append(
                SeriesUpload(
                    id: id,
                    frequency: frequency,
                    seasonLength: seasonLength,
                    indexed: indexed ?? true,
                    points: points
                )
            )
        }
        if problemCount > 0 { throw ImportError.invalidRows(problems, total: problemCount) }
        var total = 0
        for start in stride(from: 0, to: uploads.count, by: batchSize) {
            let batch = Array(uploads[start..<min(start + batchSize, uploads.count)])
            let points = batch.reduce(0) { $0 + $1.points.count }
            total += points
            try sink(SeriesUpload.encode(batch), points, lastOffset)
        }
        return (uploads.count, total)
    }
}
