package import HTTPCore
import Prometheus
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The service's Prometheus metrics, fed by the HTTP server as its ``HTTPServerObserver``.
///
/// A registry of our own rather than the global `MetricsSystem`: tests can run several
/// services in one process, and nothing here depends on bootstrap order.
package final class ServiceMetrics: HTTPServerObserver {
    private struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private let registry = PrometheusCollectorRegistry()
    private let requestCounters = Mutex<[RequestKey: Counter]>([:])
    private let decisionCounters = Mutex<[String: Counter]>([:])
    private let latencies = Mutex<[String: DurationHistogram]>([:])
    private let openConnections: Gauge
    private let connectionsAccepted: Counter
    private let bytesReceived: Counter
    private let bytesSent: Counter
    private let residentMemory: Gauge
    private let startTime: Gauge
    private let eventsAccepted: Counter
    private let storedEvents: Gauge
    private let knownUsers: Gauge
    private let knownItems: Gauge
    private let catalogItems: Gauge
    /// Read at each scrape, so the gauges cost nothing between scrapes.
    private let statsSource = Mutex<(@Sendable () -> EventStore.Stats)?>(nil)

    /// Latency buckets from 50 µs to 5 s: our handlers live at the low end.
    private static let buckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    package init() {
        openConnections = registry.makeGauge(
            descriptor: Self.name("http", "open_connections", "", "Open HTTP connections.")
        )
        connectionsAccepted = registry.makeCounter(
            descriptor: Self.name("http", "connections", "total", "HTTP connections accepted.")
        )
        bytesReceived = registry.makeCounter(
            descriptor: Self.name("http", "received_bytes", "total", "Bytes read from clients.")
        )
        bytesSent = registry.makeCounter(
            descriptor: Self.name("http", "sent_bytes", "total", "Bytes written to clients.")
        )
        residentMemory = registry.makeGauge(
            descriptor: Self.name("process", "resident_memory", "bytes", "Resident set size of the process.")
        )
        startTime = registry.makeGauge(
            descriptor: Self.name("process", "start_time", "seconds", "Start time of the process since the Unix epoch.")
        )
        eventsAccepted = registry.makeCounter(
            descriptor: Self.name("events", "accepted", "total", "Events acknowledged by POST /events (durable).")
        )
        storedEvents = registry.makeGauge(descriptor: Self.name("events", "stored", "", "Events in the log."))
        knownUsers = registry.makeGauge(descriptor: Self.name("events", "users", "", "Distinct users with events."))
        knownItems = registry.makeGauge(descriptor: Self.name("events", "items", "", "Distinct items with events."))
        catalogItems = registry.makeGauge(descriptor: Self.name("catalog", "items", "", "Items in the catalog."))
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        startTime.set(Double(now.tv_sec))
    }

    private static func name(
        _ subsystem: String,
        _ metric: String,
        _ unit: String,
        _ help: String
    ) -> MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "cartwise",
            subsystem: subsystem,
            metricName: metric,
            unitName: unit,
            helpText: help
        )
    }

    package func connectionOpened(open: Int) {
        connectionsAccepted.increment()
        openConnections.set(Double(open))
    }

    package func connectionClosed(open: Int) {
        openConnections.set(Double(open))
    }

    /// An order risk decision answered (durable in the audit trail), by outcome and the model
    /// version that decided (0: the rules).
    package func riskDecision(outcome: String, modelVersion: UInt64) {
        let labels = [("outcome", outcome), ("model_version", String(modelVersion))]
        counter(
            decisionCounters,
            key: outcome + "/" + String(modelVersion),
            Self.name(
                "risk",
                "decisions",
                "total",
                "Order risk decisions answered, by outcome and model version (0: the rules)."
            ),
            labels
        ).increment()
    }

    /// The counter of one label set, made on first use and kept in `cache`.
    private func counter<Key: Hashable & Sendable>(
        _ cache: borrowing Mutex<[Key: Counter]>,
        key: Key,
        _ descriptor: MetricNameDescriptor,
        _ labels: [(String, String)]
    ) -> Counter {
        cache.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: descriptor, labels: labels)
            counters[key] = counter
            return counter
        }
    }

    package func requestCompleted(method: HTTPMethod?, route: String, status: Int, seconds: Double) {
        let key = RequestKey(method: method?.rawValue ?? "invalid", route: route, status: status)
        counter(
            requestCounters,
            key: key,
            Self.name("http", "requests", "total", "HTTP requests answered, by method, route and status."),
            [("method", key.method), ("route", route), ("status", String(status))]
        ).increment()
        let histogram = latencies.withLock { histograms in
            if let histogram = histograms[route] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: Self.name(
                    "http",
                    "request_duration",
                    "seconds",
                    "Time from a complete request to a serialized response, by route template."
                ),
                labels: [("route", route)],
                buckets: Self.buckets
            )
            histograms[route] = histogram
            return histogram
        }
        histogram.recordNanoseconds(Int64(seconds * 1e9))
    }

    package func bytesTransferred(received: Int, sent: Int) {
        if received > 0 { bytesReceived.increment(by: Int64(received)) }
        if sent > 0 { bytesSent.increment(by: Int64(sent)) }
    }

    /// Counts events acknowledged by `POST /events`.
    package func eventsIngested(_ count: Int) {
        eventsAccepted.increment(by: Int64(count))
    }

    /// Where the event and catalog gauges read their values at each scrape.
    package func observe(_ source: @escaping @Sendable () -> EventStore.Stats) {
        statsSource.withLock { $0 = source }
    }

    /// The Prometheus text exposition of every metric.
    package func exposition() -> [UInt8] {
        residentMemory.set(Double(ProcessMemory.residentBytes()))
        if let stats = statsSource.withLock({ $0 })?() {
            storedEvents.set(Double(stats.events))
            knownUsers.set(Double(stats.users))
            knownItems.set(Double(stats.items))
            catalogItems.set(Double(stats.catalogItems))
        }
        return registry.emitToBuffer()
    }
}

/// Reads the process's resident set size from `/proc/self/statm`.
package enum ProcessMemory {
    /// Resident bytes, or 0 where `/proc` is not available.
    package static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var size = 0
        var resident = 0
        guard fscanf_statm(file, &size, &resident) else { return 0 }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func fscanf_statm(
        _ file: UnsafeMutablePointer<FILE>,
        _ size: inout Int,
        _ resident: inout Int
    ) -> Bool {
        var buffer = [CChar](repeating: 0, count: 128)
        guard fgets(&buffer, 128, file) != nil else { return false }
        let fields = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: " ")
        guard fields.count >= 2, let first = Int(fields[0]), let second = Int(fields[1]) else { return false }
        size = first
        resident = second
        return true
    }
}
