import HTTPCore
package import Logging

/// The `series/` log under the data directory: every accepted `POST /series` body (and every
/// imported batch) and `POST /promotions` plan, replayed in order into the ``SeriesStore`` at start.
package final class ForecastStorage: Sendable {
    package let series: LogWriter

    private init(series: LogWriter) {
        self.series = series
    }

    /// Replays the log and starts its writer. The caller holds the data directory's lock.
    /// - Throws: ``StorageError``, or a decode error for a record this version cannot read.
    package static func open(
        directory: String,
        store: SeriesStore,
        configuration: ServiceConfiguration,
        logger: Logger
    ) throws -> ForecastStorage {
        let started = MonotonicClock.nanoseconds()
        var skipped = 0
        let (log, report) = try RecordLog.open(
            directory: DataLayout(directory).log(.series),
            segmentBytes: configuration.segmentBytes
        ) { _, payload in
            // Accepted once: a record a later version's checks refuse is skipped, not fatal.
            let bytes = Array(payload)
            if let id = SeriesDeletion.decode(bytes) {
                store.remove(id)
            } else if bytes.starts(with: Array(#"{"promotions":"#.utf8)) {
                // Checked when accepted; an item's purchases may replay after its plan.
                if let plans = try? SeriesUpload.decode(bytes, plan: true) {
                    store.applyPlans(plans)
                } else {
                    skipped += 1
                }
            } else if let uploads = try? SeriesUpload.decode(bytes), (try? store.validate(uploads)) != nil {
                store.apply(uploads)
            } else {
                skipped += 1
            }
        }
        let counts = store.counts
        logger.info(
            "replayed the series log",
            metadata: [
                "records": "\(report.records)", "series": "\(counts.uploaded)", "skipped": "\(skipped)",
                "seconds": "\(Double(MonotonicClock.nanoseconds() - started) / 1e9)",
            ]
        )
        return ForecastStorage(
            series: try LogWriter(log: log, durability: configuration.durability, name: "series-log", logger: logger)
        )
    }

    package func stop() { series.stop() }
}
