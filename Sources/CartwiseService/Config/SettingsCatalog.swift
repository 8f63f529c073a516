/// Every setting Cartwise reads, with its default: the service's own here, each model family's
/// in its folder (`RecommendSettings.catalog`, `CTRSettings.catalog`, ...), where its typed
/// section reads them. Each key is written once, in its `Setting`.
package enum SettingsCatalog {
    package static let all: [Setting] =
        [
            serverHost,
            serverPort,
            serverThreads,
            serverBacklog,
            serverMaxConnections,
            serverLimitsRequestLineBytes,
            serverLimitsHeaderBytes,
            serverLimitsHeaderFields,
            serverLimitsBodyBytes,
            serverTimeoutsHeaderReadS,
            serverTimeoutsBodyReadS,
            serverTimeoutsIdleS,
            serverTimeoutsWriteS,
            serverTimeoutsResponseS,
            serverTimeoutsDrainS,
            serverGzipEnabled,
            serverGzipMinBytes,
            serverGzipLevel,
            serverTlsCert,
            serverTlsKey,
            serverBenchmarkRoutes,
            storageDurability,
            storageFsyncIntervalMs,
            storageSegmentBytes,
            eventsRecentPerUser,
            eventsMaxBatch,
            eventsMaxFutureSkew,
            eventsWeightView,
            eventsWeightClick,
            eventsWeightAddToCart,
            eventsWeightPurchase,
            eventsWeightImpression,
            eventsWeightRating,
        ] + RecommendSettings.catalog + CTRSettings.catalog + [
            authKeysFile,
            authMode,
        ] + ForecastSettings.catalog + RiskSettings.catalog + CustomerSettings.catalog
        + CampaignSettings.catalog + [
            dataDir,
            logLevel,
            logFormat,
        ]

    package static let serverHost = Setting(
        key: "server.host",
        kind: .text(choices: nil),
        defaultValue: .text("127.0.0.1"),
        description: "Address to listen on: 127.0.0.1, 0.0.0.0, :: (IPv6 and IPv4) or a host name. Flag --host."
    )

    package static let serverPort = Setting(
        key: "server.port",
        kind: .integer(0...65535),
        defaultValue: .integer(8080),
        description: "TCP port; 0 lets the kernel choose. Flag --port."
    )

    package static let serverThreads = Setting(
        key: "server.threads",
        kind: .integer(0...256),
        defaultValue: .integer(0),
        description: "Event loop threads; 0 means one per CPU core. Flag --threads."
    )

    package static let serverBacklog = Setting(
        key: "server.backlog",
        kind: .integer(1...65535),
        defaultValue: .integer(1024),
        description: "Kernel accept queue length per listening socket."
    )

    package static let serverMaxConnections = Setting(
        key: "server.max_connections",
        kind: .integer(1...1_000_000),
        defaultValue: .integer(10000),
        description: "Open connections at most; connections beyond it are closed as soon as they are accepted."
    )

    package static let serverLimitsRequestLineBytes = Setting(
        key: "server.limits.request_line_bytes",
        kind: .integer(256...1_048_576),
        defaultValue: .integer(8192),
        description: "Longest request line; longer ones get 414."
    )

    package static let serverLimitsHeaderBytes = Setting(
        key: "server.limits.header_bytes",
        kind: .integer(1024...1_048_576),
        defaultValue: .integer(16384),
        description: "Largest header section; larger ones get 431."
    )

    package static let serverLimitsHeaderFields = Setting(
        key: "server.limits.header_fields",
        kind: .integer(1...10000),
        defaultValue: .integer(100),
        description: "Most header fields in a request; more get 431."
    )

    package static let serverLimitsBodyBytes = Setting(
        key: "server.limits.body_bytes",
        kind: .integer(0...1_073_741_824),
        defaultValue: .integer(8_388_608),
        description: "Largest request body (also after gzip decoding); larger ones get 413 without being read."
    )

    package static let serverTimeoutsHeaderReadS = Setting(
        key: "server.timeouts.header_read_s",
        kind: .number(0.1...3600),
        defaultValue: .number(10),
        description: "Seconds to receive a whole request head, from its first byte (slowloris defence)."
    )

    package static let serverTimeoutsBodyReadS = Setting(
        key: "server.timeouts.body_read_s",
        kind: .number(0.1...3600),
        defaultValue: .number(30),
        description: "Seconds to receive a request body once the head is complete."
    )

    package static let serverTimeoutsIdleS = Setting(
        key: "server.timeouts.idle_s",
        kind: .number(0.1...86400),
        defaultValue: .number(60),
        description: "Seconds a keep-alive connection may stay idle between requests."
    )

    package static let serverTimeoutsWriteS = Setting(
        key: "server.timeouts.write_s",
        kind: .number(0.1...3600),
        defaultValue: .number(30),
        description: "Seconds a client has to read a response before the connection is dropped."
    )

    package static let serverTimeoutsResponseS = Setting(
        key: "server.timeouts.response_s",
        kind: .number(0.1...86_400),
        defaultValue: .number(60),
        description:
            "Seconds a request that waits for other work (a durable write, a fit, a training) may wait; "
            + "past it the answer is 503 (the work may still complete) and the connection is closed."
    )

    package static let serverTimeoutsDrainS = Setting(
        key: "server.timeouts.drain_s",
        kind: .number(0...3600),
        defaultValue: .number(10),
        description: "On SIGTERM/SIGINT, seconds to finish in-flight requests before closing what is left."
    )

    package static let serverGzipEnabled = Setting(
        key: "server.gzip.enabled",
        kind: .boolean,
        defaultValue: .boolean(true),
        description: "Gzip responses when the client sends Accept-Encoding: gzip."
    )

    package static let serverGzipMinBytes = Setting(
        key: "server.gzip.min_bytes",
        kind: .integer(0...1_073_741_824),
        defaultValue: .integer(1024),
        description: "Smallest response body worth compressing."
    )

    package static let serverGzipLevel = Setting(
        key: "server.gzip.level",
        kind: .integer(1...9),
        defaultValue: .integer(5),
        description: "zlib compression level: 1 fastest, 9 smallest."
    )

    package static let serverTlsCert = Setting(
        key: "server.tls.cert",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description:
            "PEM certificate chain (server certificate first). With server.tls.key, every connection is TLS 1.2 or 1.3; SIGHUP reloads both files without dropping connections. Flag --tls-cert."
    )

    package static let serverTlsKey = Setting(
        key: "server.tls.key",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description: "PEM private key of server.tls.cert. Flag --tls-key."
    )

    package static let serverBenchmarkRoutes = Setting(
        key: "server.benchmark_routes",
        kind: .boolean,
        defaultValue: .boolean(false),
        description:
            "Also serve GET /health and POST /echo, the routes the HTTP anchors implement, so benchmarks compare like with like."
    )

    package static let storageDurability = Setting(
        key: "storage.durability",
        kind: .text(choices: ["fsync", "interval", "none"]),
        defaultValue: .text("fsync"),
        description:
            "fsync: fdatasync before acknowledging a batch (group-committed), survives kill -9 and power loss. interval: acknowledge after write and sync every storage.fsync_interval_ms, power loss can lose that much. none: sync only on rotation and shutdown, power loss can lose what the kernel has not written back (about 30 s). Both relaxed modes survive kill -9."
    )

    package static let storageFsyncIntervalMs = Setting(
        key: "storage.fsync_interval_ms",
        kind: .integer(1...60000),
        defaultValue: .integer(100),
        description: "With storage.durability=interval: milliseconds between syncs."
    )

    package static let storageSegmentBytes = Setting(
        key: "storage.segment_bytes",
        kind: .integer(1_048_576...1_073_741_824),
        defaultValue: .integer(67_108_864),
        description: "Size at which a log segment is closed and the next one started."
    )

    package static let eventsRecentPerUser = Setting(
        key: "events.recent_per_user",
        kind: .integer(1...10000),
        defaultValue: .integer(50),
        description: "Latest events kept in memory per user (32 bytes each); older ones stay in the log."
    )

    package static let eventsMaxBatch = Setting(
        key: "events.max_batch",
        kind: .integer(1...1_000_000),
        defaultValue: .integer(10000),
        description: "Most events or items in one POST /events or POST /items batch; larger batches get 413."
    )

    package static let eventsMaxFutureSkew = Setting(
        key: "events.max_future_skew_s",
        kind: .integer(0...31_536_000),
        defaultValue: .integer(86_400),
        description:
            "Events, and dated series points, more than this many seconds ahead of the server's clock are refused (400 naming the field): one event dated 2099 would otherwise become every item's last day of history."
    )

    package static let eventsWeightView = Setting(
        key: "events.weight.view",
        kind: .number(0...1000),
        defaultValue: .number(1),
        description: "ALS weight of a view (confidence c = 1 + als.alpha x the summed weights of a user-item pair)."
    )

    package static let eventsWeightClick = Setting(
        key: "events.weight.click",
        kind: .number(0...1000),
        defaultValue: .number(2),
        description: "ALS weight of a click."
    )

    package static let eventsWeightAddToCart = Setting(
        key: "events.weight.add_to_cart",
        kind: .number(0...1000),
        defaultValue: .number(4),
        description: "ALS weight of an add_to_cart."
    )

    package static let eventsWeightPurchase = Setting(
        key: "events.weight.purchase",
        kind: .number(0...1000),
        defaultValue: .number(8),
        description: "ALS weight of a purchase."
    )

    package static let eventsWeightImpression = Setting(
        key: "events.weight.impression",
        kind: .number(0...1000),
        defaultValue: .number(0),
        description: "ALS weight of an impression (0: being shown an item says nothing about liking it)."
    )

    package static let eventsWeightRating = Setting(
        key: "events.weight.rating",
        kind: .number(0...1000),
        defaultValue: .number(1),
        description: "ALS weight of a rating, multiplied by the rating's value."
    )

    package static let authKeysFile = Setting(
        key: "auth.keys_file",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description:
            "API keys file written by `cartwise keys add` (SHA-256 digests, scopes, rate limits); empty means keys.json in the data directory."
    )

    package static let authMode = Setting(
        key: "auth.mode",
        kind: .text(choices: ["auto", "required", "off"]),
        defaultValue: .text("auto"),
        description:
            "auto: open while this data directory has never had an API key (the demo), then keys are required for good; required: keys always required; off: no authentication. Required with no keys loaded answers 503 on every protected route."
    )

    package static let dataDir = Setting(
        key: "data_dir",
        kind: .text(choices: nil),
        defaultValue: .text("./data"),
        description: "Directory for the event log, snapshots and audit files; created if missing. Flag --data-dir."
    )

    package static let logLevel = Setting(
        key: "log.level",
        kind: .text(choices: ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
        defaultValue: .text("info"),
        description: "Least severe log level written to stderr. Flag --log-level."
    )

    package static let logFormat = Setting(
        key: "log.format",
        kind: .text(choices: ["json", "text"]),
        defaultValue: .text("json"),
        description: "json: one object per line for log shippers; text: for people at a terminal."
    )

    /// The setting called `key`.
    package static func setting(_ key: String) -> Setting? {
        all.first { $0.key == key }
    }
}

/// The tuned ALS defaults (see docs/recommendations.md for the sweep that chose them).
package enum ALSDefaults {
    package static let regularization = 30.0
    package static let alpha = 1.0
}
