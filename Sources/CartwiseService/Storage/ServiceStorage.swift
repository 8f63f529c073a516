import HTTPCore
package import Logging

/// The service's durable state: the event and catalog logs, their writer threads, the in-memory
/// ``EventStore`` rebuilt from them, and the data directory lock.
package final class ServiceStorage: Sendable {
    package let store: EventStore
    package let events: LogWriter
    package let catalog: LogWriter
    /// The `erasures/` log (``ErasedUsers``).
    package let erasures: LogWriter
    package let erased: ErasedUsers
    package let directory: String
    private let lock: DataDirectoryLock

    /// Every record log in a data directory, in the order start-up replays them.
    package static let logNames = DataLayout.Log.allCases.map(\.rawValue)

    private init(
        store: EventStore,
        events: LogWriter,
        catalog: LogWriter,
        erasures: LogWriter,
        erased: ErasedUsers,
        directory: String,
        lock: DataDirectoryLock
    ) {
        self.store = store
        self.events = events
        self.catalog = catalog
        self.erasures = erasures
        self.erased = erased
        self.directory = directory
        self.lock = lock
    }

    /// Locks the data directory, replays both logs into memory (cutting a torn tail), and, when
    /// `demo` is given and the store is empty, generates the demo store into it first.
    /// - Parameters:
    ///   - configuration: the data directory, segment size and durability.
    ///   - logger: for the replay's report.
    ///   - demo: generate the demo store into an empty directory.
    ///   - store: the store to replay into (its observer hears every batch); a new one without
    ///     an observer when nil.
    /// - Returns: the opened storage.
    /// - Throws: ``StorageError`` (including ``StorageError/locked(path:)``), or a decode error
    ///   for a record that passed its CRC but is not in a format this version reads.
    package static func open(
        configuration: ServiceConfiguration,
        logger: Logger,
        demo: DemoStore.Options? = nil,
        store: EventStore? = nil
    ) throws -> ServiceStorage {
        let directory = configuration.dataDirectory
        try FileSystem.makeDirectory(directory)
        let lock = try DataDirectoryLock(directory: directory)
        let store = store ?? EventStore(configuration: configuration)
        let started = MonotonicClock.nanoseconds()
        // Erasures first: the logs are rewritten for any not applied yet before anything is
        // replayed, so no model ever learns from erased data again.
        for log in DataLayout.Log.allCases { try ErasureCompactor.recover(DataLayout(directory).log(log)) }
        let erased = ErasedUsers(personal: PersonalData(salt: try RiskStorage.salt(directory: directory)))
        var erasureRecords: [ErasureRecord] = []
        let (erasureLog, _) = try RecordLog.open(
            directory: DataLayout(directory).log(.erasures),
            segmentBytes: configuration.segmentBytes
        ) { _, payload in
            erasureRecords.append(try ErasureRecord.decode(Array(payload)))
        }
        erased.restore(erasureRecords, directory: directory)
        if ErasureCompactor.isPending(directory: directory, erasures: erasureRecords.count) {
            try ErasureCompactor.run(
                directory: directory,
                segmentBytes: configuration.segmentBytes,
                erased: erased,
                erasures: erasureRecords.count,
                logger: logger
            )
        }
        erased.compacted()
        // The catalog first: the click model hashes an impression's item categories as it learns.
        let (catalogLog, catalogReport) = try RecordLog.open(
            directory: DataLayout(directory).log(.catalog),
            segmentBytes: configuration.segmentBytes
        ) { _, payload in
            switch try RecordCodec.decodeCatalog(payload) {
            case .items(let items): store.apply(items: items)
            case .deletions(let ids): store.delete(items: ids)
            }
        }
        let (eventLog, eventReport) = try RecordLog.open(
            directory: DataLayout(directory).log(.events),
            segmentBytes: configuration.segmentBytes
        ) { location, payload in
            store.apply(events: try RecordCodec.decodeEvents(payload), at: location)
        }
        for (name, report) in [("events", eventReport), ("catalog", catalogReport)] {
            if report.truncatedBytes > 0 {
                logger.warning(
                    "cut an incomplete record from the end of the log (a crash during a write), saved under damaged/; everything before it is kept",
                    metadata: ["log": "\(name)", "bytes_cut": "\(report.truncatedBytes)"]
                )
            }
        }
        let stats = store.stats
        logger.info(
            "replayed logs",
            metadata: [
                "events": "\(stats.events)", "users": "\(stats.users)", "catalog_items": "\(stats.catalogItems)",
                "records": "\(eventReport.records + catalogReport.records)",
                "seconds": "\(Double(MonotonicClock.nanoseconds() - started) / 1e9)",
            ]
        )
        if let demo, stats.events == 0, stats.catalogItems == 0 {
            try generateDemo(
                demo,
                eventLog: eventLog,
                catalogLog: catalogLog,
                store: store,
                directory: directory,
                logger: logger
            )
        }
        let durability = configuration.durability
        return ServiceStorage(
            store: store,
            events: try LogWriter(log: eventLog, durability: durability, name: "event-log", logger: logger),
            catalog: try LogWriter(log: catalogLog, durability: durability, name: "catalog-log", logger: logger),
            erasures: try LogWriter(log: erasureLog, durability: durability, name: "erasure-log", logger: logger),
            erased: erased,
            directory: directory,
            lock: lock
        )
    }

    private static func generateDemo(
        _ options: DemoStore.Options,
        eventLog: RecordLog,
        catalogLog: RecordLog,
        store: EventStore,
        directory: String,
        logger: Logger
    ) throws {
        let started = MonotonicClock.nanoseconds()
        let demo = DemoStore(options: options)
        _ = try catalogLog.append([RecordCodec.encode(items: demo.items)])
        try catalogLog.sync()
        store.apply(items: demo.items)
        var start = 0
        while start < demo.events.count {
            let batch = Array(demo.events[start..<min(start + 10_000, demo.events.count)])
            let location = try eventLog.append([RecordCodec.encode(events: batch)])[0]
            store.apply(events: batch, at: location)
            start += batch.count
        }
        try eventLog.sync()
        try FileSystem.makeDirectory(DataLayout(directory).demo)
        try FileSystem.writeNew(DataLayout(directory).demoOrders, Array(demo.ordersCSV.utf8))
        logger.info(
            "generated the demo store",
            metadata: [
                "seed": "\(options.seed)", "items": "\(demo.items.count)", "events": "\(demo.events.count)",
                "orders": "\(demo.orders.count)", "seconds": "\(Double(MonotonicClock.nanoseconds() - started) / 1e9)",
            ]
        )
    }

    /// Writes what is queued, syncs, and stops the writer threads.
    package func stop() {
        events.stop()
        catalog.stop()
        erasures.stop()
    }
}
