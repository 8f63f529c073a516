package import HTTPCore
package import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The composition root: the service is an ordered list of features (``Feature``) around the
/// shared parts (the event log and store, the fan-out, the blocking pool, metrics, readiness and
/// the HTTP server). Features start in list order and stop in reverse. `cartwise serve` and the
/// service tests both start it this way.
package final class Application: Sendable {
    package let configuration: ServiceConfiguration
    package let readiness: Readiness
    package let metrics: ServiceMetrics
    package let server: HTTPServer
    /// Every route with the access it declared.
    package let routes: [Router.RouteInfo]
    package let storage: ServiceStorage
    /// In start order.
    package let features: [any Feature]
    private let pool: BlockingPool
    private let logger: Logger

    /// The model features, in the order they start. A new family is one line here.
    /// - Throws: when a feature cannot be built (a salt file of the wrong size, no thread).
    static func features(_ context: FeatureContext) throws -> [any Feature] {
        let ctr = try CTRFeature(context)
        let risk = try RiskFeature(context)
        let customers = try CustomersFeature(context, risk: risk)
        return [
            ctr,
            try ForecastFeature(context),
            risk,
            try RecommendFeature(context, ctr: ctr.learner),
            customers,
            try CampaignsFeature(context, customers: customers),
        ]
    }

    /// The feature of type `type`, if the service has one.
    package func feature<F: Feature>(_ type: F.Type) -> F? {
        features.lazy.compactMap { $0 as? F }.first
    }

    /// Opens the data directory (replaying the logs), starts serving and marks the service ready.
    /// - Parameters:
    ///   - configuration: every setting.
    ///   - logger: the root logger.
    ///   - demo: generate the demo store first if the data directory holds no events.
    /// - Returns: the running service.
    /// - Throws: ``ApplicationError`` when the data directory, the logs or the socket cannot be set up.
    package static func start(
        configuration: ServiceConfiguration,
        logger: Logger,
        demo: DemoStore.Options? = nil
    ) throws -> Application {
        let readiness = Readiness()
        readiness.expect("http")
        readiness.expect("storage")
        let metrics = ServiceMetrics()
        try DataDirectory.prepare(configuration.dataDirectory)
        // Every log is checked before any is opened: a damaged one stops start-up before anything
        // (a torn tail cut, a demo generated, a snapshot trained) has changed the directory.
        for name in ServiceStorage.logNames {
            _ = try RecordLog.verify(directory: configuration.dataDirectory + "/" + name)
        }
        func failed(_ error: any Error) -> ApplicationError {
            if let error = error as? ApplicationError { return error }
            return .dataDirectory(path: configuration.dataDirectory, reason: "\(error)")
        }
        let pool: BlockingPool
        do {
            pool = try BlockingPool(threads: 2)
        } catch {
            throw failed(error)
        }
        let events = EventFanOut()
        let store = EventStore(configuration: configuration, observer: events.observer)
        let context = FeatureContext(
            configuration: configuration,
            logger: logger,
            readiness: readiness,
            metrics: metrics,
            pool: pool,
            events: events,
            store: store,
            demo: demo,
            callers: Callers()
        )
        // What is up so far, stopped in reverse if a later step fails.
        var started: [() -> Void] = [{ pool.stop() }]
        func stopStarted() {
            for stop in started.reversed() { stop() }
            started.removeAll()
        }
        let features: [any Feature]
        let storage: ServiceStorage
        do {
            features = try Self.features(context)
            for feature in features {
                try feature.prepare()
                started.append { feature.stop() }
            }
            storage = try ServiceStorage.open(configuration: configuration, logger: logger, demo: demo, store: store)
            started.insert({ storage.stop() }, at: 1)
            for feature in features { try feature.start(storage: storage) }
        } catch {
            stopStarted()
            throw failed(error)
        }
        readiness.markReady("storage")
        metrics.observe { store.stats }

        var routes = ServiceRoutes()
        HealthRoutes.register(on: &routes, readiness: readiness, metrics: metrics)
        IngestRoutes(
            store: store,
            events: storage.events,
            catalog: storage.catalog,
            maxBatch: configuration.maxBatch,
            maxFutureSkew: configuration.maxFutureSkew,
            metrics: metrics,
            pool: pool
        ).register(on: &routes)
        ErasureRoutes(storage: storage, callers: context.callers).register(on: &routes)
        for feature in features { feature.register(on: &routes) }
        if let recommend = features.lazy.compactMap({ $0 as? RecommendFeature }).first {
            ModelRoutes(
                families: features.flatMap(\.families),
                recommend: recommend.trainer,
                store: store,
                pool: pool,
                maxWait: configuration.server.responseTimeout - 1
            ).register(on: &routes)
        }
        if configuration.benchmarkRoutes { BenchmarkRoutes.register(on: &routes) }
        let access: AccessControl
        do {
            access = try AccessControl(
                store: APIKeyStore(path: configuration.keysFile),
                mode: configuration.authMode,
                markerPath: configuration.authMarkerFile,
                logger: logger
            )
        } catch {
            stopStarted()
            throw ApplicationError.dataDirectory(path: configuration.keysFile, reason: "\(error)")
        }
        context.callers.set(access)
        if configuration.authMode == .off {
            logger.warning("AUTHENTICATION IS OFF (auth.mode=off): every endpoint is open to anyone who can connect.")
        } else if !access.isEnabled {
            logger.warning(
                "AUTHENTICATION IS OFF: no API keys in \(configuration.keysFile); every endpoint is open to anyone who can connect. Add one with `cartwise keys add NAME --scopes storefront,risk,ops,admin`."
            )
        }
        let router = routes.build(gate: access.gate) { error, request in
            logger.error(
                "unhandled error in route",
                metadata: ["method": "\(request.method)", "path": "\(request.rawPath)", "error": "\(error)"]
            )
        }

        var serverConfiguration = configuration.server
        if let files = configuration.tlsFiles {
            do {
                guard !files.certificate.isEmpty, !files.key.isEmpty else {
                    throw TLSError.openSSL(operation: "TLS", reason: "server.tls.cert and server.tls.key go together")
                }
                serverConfiguration.tls = try TLSProvider(certificatePath: files.certificate, keyPath: files.key)
            } catch {
                stopStarted()
                throw ApplicationError.cannotListen(
                    address: "\(configuration.server.host):\(configuration.server.port)",
                    reason: "\(error)"
                )
            }
        }
        let server: HTTPServer
        do {
            server = try HTTPServer.start(
                configuration: serverConfiguration,
                responder: router,
                observer: metrics,
                logger: logger
            )
        } catch {
            stopStarted()
            throw ApplicationError.cannotListen(
                address: "\(configuration.server.host):\(configuration.server.port)",
                reason: "\(error)"
            )
        }
        readiness.markReady("http")
        logger.info(
            "listening",
            metadata: [
                "address": "\(server.address)", "threads": "\(configuration.server.threads)",
                "tls": "\(serverConfiguration.tls != nil)",
                "data_dir": "\(configuration.dataDirectory)",
                "features": "\(features.map(\.name).joined(separator: ","))",
            ]
        )
        return Application(
            configuration: configuration,
            readiness: readiness,
            metrics: metrics,
            server: server,
            routes: router.routes,
            storage: storage,
            features: features,
            pool: pool,
            logger: logger
        )
    }

    private init(
        configuration: ServiceConfiguration,
        readiness: Readiness,
        metrics: ServiceMetrics,
        server: HTTPServer,
        routes: [Router.RouteInfo],
        storage: ServiceStorage,
        features: [any Feature],
        pool: BlockingPool,
        logger: Logger
    ) {
        self.configuration = configuration
        self.readiness = readiness
        self.metrics = metrics
        self.server = server
        self.routes = routes
        self.storage = storage
        self.features = features
        self.pool = pool
        self.logger = logger
    }

    /// Re-reads the TLS certificate and key (SIGHUP): new connections use them, open ones keep
    /// theirs. Without TLS, nothing happens.
    /// - Throws: ``TLSError`` when the files do not make a valid context (the old one stays).
    package func reloadTLS() throws {
        guard let tls = server.configuration.tls else { return }
        try tls.reload()
        logger.notice("reloaded the TLS certificate", metadata: ["certificate": "\(tls.context.certificatePath)"])
    }

    /// Stops accepting, finishes in-flight requests, stops the features in reverse order, and
    /// returns when everything has stopped.
    package func shutdown() {
        logger.info("shutting down", metadata: ["drain_s": "\(configuration.server.drainTimeout)"])
        server.shutdown()
        server.wait()
        pool.stop()
        for feature in features.reversed() { feature.stop() }
        // After the last request: what was acknowledged is already durable; this flushes the rest.
        storage.stop()
        logger.info("stopped")
    }
}

/// Why the service could not start.
package enum ApplicationError: Error, CustomStringConvertible {
    case cannotListen(address: String, reason: String)
    case dataDirectory(path: String, reason: String)

    package var description: String {
        switch self {
        case .cannotListen(let address, let reason): return "cannot listen on \(address): \(reason)"
        case .dataDirectory(let path, let reason): return "data directory \(path) is not usable: \(reason)"
        }
    }
}

/// Creates the data directory and checks that it is writable.
package enum DataDirectory {
    /// - Throws: ``ApplicationError/dataDirectory(path:reason:)``.
    package static func prepare(_ path: String) throws(ApplicationError) {
        var components: [Substring] = []
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") where part != "." {
            components.append(part)
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .dataDirectory(path: path, reason: String(cString: strerror(errno)))
            }
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw .dataDirectory(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
