import ArgumentParser
import CartwiseService
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// `cartwise import events|items FILE`: bulk loads through the same log the server writes.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bulk-import events or catalog items.",
        discussion: """
            With the server stopped, the file is validated and written straight into the data directory's log \
            (the fastest way). With the server running, pass --url http://HOST:PORT to send it through \
            POST /events or POST /items instead; the data directory is locked while the server runs.
            """,
        subcommands: [ImportEvents.self, ImportItems.self, ImportCTR.self, ImportOrders.self, ImportSeries.self]
    )
}

struct ImportEvents: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract:
            "Import events: CSV with a header (user_id,item_id[,weight][,timestamp][,type][,price][,order_id]) or NDJSON."
    )

    @Argument(help: "The file: .csv, or .ndjson/.jsonl (one POST /events object per line).")
    var file: String

    @Option(help: "Event type of CSV rows without a type column.")
    var type = "rating"

    @Option(
        help: "Send through a running server's POST /events (e.g. http://127.0.0.1:8080) instead of writing the log."
    )
    var url: String?

    @OptionGroup var options: SettingsOptions

    func run() throws {
        guard let eventType = EventType(name: type) else {
            throw ValidationError(
                "--type must be one of " + EventType.allCases.map(\.description).joined(separator: ", ")
            )
        }
        var importer = EventImporter(path: file, defaultType: eventType, now: WallClock.milliseconds())
        importer.maxFutureSkew = try options.load().maxFutureSkew
        let size = FileSystem.size(file)
        let started = MonotonicClock.nanoseconds()
        let progress = ProgressBar(total: size, unit: "events")
        var written = 0
        let count: Int
        if let url {
            // Over HTTP nothing can be undone, so every row is checked before the first batch is sent.
            do {
                count = try importer.validate()
            } catch {
                throw CommandFailure("\(file): \(error)")
            }
            let target = try HTTPTarget(url)
            try importer.run { batch, bytes in
                try target.post("/events", lines: batch.map(EventJSON.encode)) { sent in
                    written += sent
                    progress.update(done: bytes, count: written)
                }
            }
        } else {
            // One pass: write while reading, and roll the log back if any row turns out bad.
            let settings = try options.load()
            let log = try OfflineLog(directory: DataLayout(settings.dataDirectory).log(.events), settings: settings)
            written = try log.importEvents(from: file, progress: progress, importer.run)
            count = written
        }
        precondition(written == count, "validated \(count) events but wrote \(written)")
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        progress.finish(
            count: written,
            note: "imported \(ProgressBar.grouped(written)) events from \(file) in \(String(format: seconds)) s "
                + "(\(ProgressBar.grouped(Int(Double(written) / max(seconds, 1e-9)))) events/s: validated, written and synced)"
        )
    }
}

struct ImportItems: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "items",
        abstract: "Import catalog items: NDJSON (one POST /items object per line) or JSON {\"items\": [...]}."
    )

    @Argument(help: "The file: .ndjson/.jsonl or .json.")
    var file: String

    @Option(help: "Send through a running server's POST /items instead of writing the log.")
    var url: String?

    @OptionGroup var options: SettingsOptions

    func run() throws {
        let bytes = try FileSystem.readAll(file)
        let contentType = file.hasSuffix(".json") ? "application/json" : "application/x-ndjson"
        let decoder = ItemDecoder()
        let items: [Item]
        do {
            items = try BatchDecoder(kind: "items", maxEntries: 10_000_000).decode(bytes, contentType: contentType) {
                (reader, index, problems) throws(JSONReader.SyntaxError) in
                try decoder.decode(&reader, index: index, problems: &problems)
            }
        } catch {
            throw CommandFailure("\(file): \(error)")
        }
        let progress = ProgressBar(total: items.count, unit: "items")
        var written = 0
        if let url {
            try HTTPTarget(url).post("/items", lines: items.map(EventJSON.encode)) { sent in
                written += sent
                progress.update(done: written, count: written)
            }
        } else {
            let settings = try options.load()
            let log = try OfflineLog(directory: DataLayout(settings.dataDirectory).log(.catalog), settings: settings)
            for start in stride(from: 0, to: items.count, by: 10_000) {
                let slice = Array(items[start..<min(start + 10_000, items.count)])
                try log.append(RecordCodec.encode(items: slice))
                written += slice.count
                progress.update(done: written, count: written)
            }
            try log.finish()
        }
        progress.finish(count: written, note: "imported \(ProgressBar.grouped(written)) items from \(file)")
    }
}

struct ImportCTR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctr",
        abstract: "Import labelled impressions for the click model: CSV with a label column and feature columns.",
        discussion: """
            user_id and item_id columns (if any) become the impression's user and item, a timestamp column \
            (Unix seconds) its time, and every other column a context field. Columns named in --numeric are \
            numbers (log-binned by the model); the rest are categorical. Writes the log directly, so the \
            server must be stopped; it learns from the impressions when it starts.
            """
    )

    @Argument(help: "The CSV file (a label column: 1 = clicked, 0 = not).")
    var file: String

    @Option(help: "Comma-separated columns to read as numbers, e.g. I1,I2,...,I13.")
    var numeric = ""

    @OptionGroup var options: SettingsOptions

    func run() throws {
        let importer = CTRImporter(
            path: file,
            numericColumns: Set(numeric.split(separator: ",").map { String($0) }),
            now: WallClock.milliseconds()
        )
        let started = MonotonicClock.nanoseconds()
        let progress = ProgressBar(total: FileSystem.size(file), unit: "impressions")
        let settings = try options.load()
        let log = try OfflineLog(directory: DataLayout(settings.dataDirectory).log(.events), settings: settings)
        let written = try log.importEvents(from: file, progress: progress, importer.run)
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        progress.finish(
            count: written,
            note:
                "imported \(ProgressBar.grouped(written)) labelled impressions from \(file) in \(String(format: seconds)) s"
        )
    }
}

struct ImportOrders: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Import labelled orders for the risk model (CSV: id,label,Amount and signal columns).",
        discussion: """
            The layout of ../shared/eval/data/fraud/creditcard.csv: id is the order id, label 1 = fraud and 0 = legit \
            (empty: not labelled yet), Amount the amount, optional user and created_at columns, and every other \
            column a signals value of the same name, except the columns named like POST /score-order's fields \
            (email, ip, device_id, shipping_address, card_fingerprint, card_bin, payment_method, currency, \
            shipping_country, billing_country, account_created_at, items as item:quantity:price lines). Writes the \
            orders log directly, so the server must be \
            stopped; it trains the risk model on them when it starts.
            """
    )

    @Argument(help: "The CSV file.")
    var file: String

    @OptionGroup var options: SettingsOptions

    func run() throws {
        let settings = try options.load()
        // The personal columns are hashed with the directory's salt, made here for a new one.
        try FileSystem.makeDirectory(settings.dataDirectory)
        let salt = try RiskStorage.salt(directory: settings.dataDirectory)
        let importer = OrderImporter(path: file, now: WallClock.milliseconds(), personal: PersonalData(salt: salt))
        let started = MonotonicClock.nanoseconds()
        let progress = ProgressBar(total: FileSystem.size(file), unit: "orders")
        let log = try OfflineLog(directory: DataLayout(settings.dataDirectory).log(.orders), settings: settings)
        let history = OrderHistory()
        let written = try log.importBatches(from: file) { sink in
            try importer.run(history: history) { batch, bytes in
                try sink(OrderRecord.encode(batch: batch), batch.count)
                progress.update(done: bytes, count: sink.written)
            }
        }
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        progress.finish(
            count: written,
            note: "imported \(ProgressBar.grouped(written)) orders from \(file) in \(String(format: seconds)) s"
        )
    }
}

struct ImportSeries: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "Import series to forecast (CSV: series_id,timestamp,value).",
        discussion: """
            The layout of ../shared/eval/data/forecast/*_train.csv: timestamp is a date (YYYY-MM-DD) or an integer \
            period index. Points replace earlier values of the same period. Writes the series log directly, so the \
            server must be stopped; it forecasts them when it starts. A running server takes POST /series.
            """
    )

    @Argument(help: "The CSV file.")
    var file: String

    @Option(help: "day, week, month, quarter or year.")
    var frequency: String

    @Option(help: "The season length (default: 7 for day, 52 week, 12 month, 4 quarter, 1 year).")
    var seasonLength: Int?

    @OptionGroup var options: SettingsOptions

    func validate() throws {
        guard Frequency(rawValue: frequency) != nil else {
            throw ValidationError("--frequency must be one of day, week, month, quarter, year")
        }
        if let seasonLength, !(1...366).contains(seasonLength) {
            throw ValidationError("--season-length must be from 1 to 366")
        }
    }

    func run() throws {
        var importer = SeriesImporter(
            path: file,
            frequency: Frequency(rawValue: frequency)!,
            seasonLength: seasonLength
        )
        let started = MonotonicClock.nanoseconds()
        let progress = ProgressBar(total: FileSystem.size(file), unit: "points")
        let settings = try options.load()
        importer.latestDay = Frequency.floorDivide(
            Int(WallClock.milliseconds() + settings.maxFutureSkew),
            86_400_000
        )
        let log = try OfflineLog(directory: DataLayout(settings.dataDirectory).log(.series), settings: settings)
        var series = 0
        let written = try log.importBatches(from: file) { sink in
            let counts = try importer.run { body, points, bytes in
                try sink(body, points)
                progress.update(done: bytes, count: sink.written)
            }
            series = counts.series
            return counts.points
        }
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        progress.finish(
            count: written,
            note:
                "imported \(ProgressBar.grouped(series)) series (\(ProgressBar.grouped(written)) points) from \(file) "
                + "in \(String(format: seconds)) s"
        )
    }
}

/// A log opened by a tool while the server is stopped (the data directory lock proves it).
struct OfflineLog {
    private let lock: DataDirectoryLock
    private let log: RecordLog

    init(directory: String, settings: ServiceConfiguration) throws {
        do {
            try FileSystem.makeDirectory(settings.dataDirectory)
            lock = try DataDirectoryLock(directory: settings.dataDirectory)
            (log, _) = try RecordLog.open(directory: directory, segmentBytes: settings.segmentBytes) { _, _ in }
        } catch StorageError.locked(let path) {
            throw CommandFailure(
                "\(path) is in use by a running server: pass --url http://HOST:PORT to import through it"
            )
        }
    }

    func append(_ payload: [UInt8]) throws {
        _ = try log.append([payload])
    }

    /// Where the log ends before the import.
    var end: RecordLog.Location { log.end }

    /// Undoes an import that met a bad row.
    func rollback(to mark: RecordLog.Location) throws {
        try log.rollback(to: mark)
    }

    /// Makes the import durable.
    func finish() throws {
        try log.sync()
    }

    /// Counts what an import wrote, for its progress bar.
    final class Sink {
        private(set) var written = 0
        private let log: OfflineLog

        init(log: OfflineLog) { self.log = log }

        func callAsFunction(_ payload: [UInt8], _ count: Int) throws {
            try log.append(payload)
            written += count
        }
    }

    /// Appends the payloads `run` hands over and syncs, or rolls the log back if anything fails:
    /// an offline import is all or nothing.
    /// - Returns: how many entries were written.
    func importBatches(from file: String, _ run: (Sink) throws -> Int) throws -> Int {
        let mark = end
        let sink = Sink(log: self)
        do {
            let counted = try run(sink)
            precondition(sink.written == counted, "read \(counted) entries but wrote \(sink.written)")
            try finish()
        } catch {
            try rollback(to: mark)
            throw CommandFailure("\(file): \(error)")
        }
        return sink.written
    }

    /// Appends every batch `run` reads from `file` and syncs, or, if anything fails (a bad row
    /// included), rolls the log back to where it ended: an offline import is all or nothing.
    /// - Returns: how many events were written (what `run` counted).
    func importEvents(
        from file: String,
        progress: ProgressBar,
        _ run: (([Event], Int) throws -> Void) throws -> Int
    ) throws -> Int {
        let mark = end
        var written = 0
        do {
            let counted = try run { batch, bytes in
                try append(RecordCodec.encode(events: batch))
                written += batch.count
                progress.update(done: bytes, count: written)
            }
            precondition(written == counted, "read \(counted) events but wrote \(written)")
            try finish()
        } catch {
            try rollback(to: mark)
            throw CommandFailure("\(file): \(error)")
        }
        return written
    }
}

/// A running server to import through.
struct HTTPTarget {
    let host: String
    let port: Int
    private let client: BlockingHTTPClient

    init(_ url: String) throws {
        var rest = Substring(url)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        rest = rest.prefix { $0 != "/" }
        let parts = rest.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else {
            throw ValidationError("--url must look like http://HOST:PORT (https is not supported here)")
        }
        host = String(parts[0])
        self.port = port
        client = try BlockingHTTPClient(host: host, port: port, timeout: 60)
    }

    /// Posts `lines` in NDJSON batches of 1,000, reporting each batch's size once accepted.
    func post(_ path: String, lines: [String], sent: (Int) -> Void) throws {
        for start in stride(from: 0, to: lines.count, by: 1000) {
            let slice = Array(lines[start..<min(start + 1000, lines.count)])
            try post(path, ndjson: slice)
            sent(slice.count)
        }
    }

    func post(_ path: String, ndjson lines: [String]) throws {
        let body = Array((lines.joined(separator: "\n") + "\n").utf8)
        let response = try client.request("POST", path, headers: [("Content-Type", "application/x-ndjson")], body: body)
        guard response.status == 200 else {
            throw ImportError.rejectedByServer(status: response.status, detail: response.text)
        }
    }
}

extension String {
    /// Seconds with three decimals.
    init(format seconds: Double) {
        let millis = Int((seconds * 1000).rounded())
        let fraction = String(millis % 1000)
        self = "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
