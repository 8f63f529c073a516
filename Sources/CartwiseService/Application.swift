package import HTTPCore
package import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The composition root: builds the routes, metrics and readiness from a configuration and
/// starts the HTTP server. `cartwise serve` and the service tests both start it this way.
package final class Application: Sendable {
    package let configuration: ServiceConfiguration
    package let readiness: Readiness
    package let metrics: ServiceMetrics
    package let server: HTTPServer
    package let storage: ServiceStorage
    package let models: ModelStore
    package let trainer: Trainer
    package let ctr: CTRLearner
    package let risk: OrderRisk
    package let riskStorage: RiskStorage
    package let forecaster: Forecaster
    package let forecastStorage: ForecastStorage
    private let logger: Logger

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
        readiness.expect("models")
        let metrics = ServiceMetrics()
        try DataDirectory.prepare(configuration.dataDirectory)
        // Every log is checked before any is opened: a damaged one stops start-up before anything
        // (a torn tail cut, a demo generated, a snapshot trained) has changed the directory.
        for name in ServiceStorage.logNames {
            _ = try RecordLog.verify(directory: configuration.dataDirectory + "/" + name)
        }
        // What is up so far; a failing later step stops it in shutdown's order.
        let started = StartedParts()
        let ctr: CTRLearner
        let storage: ServiceStorage
        let series = SeriesStore(maxHistory: configuration.forecast.maxHistory)
        do {
            // The click model learns while the logs replay, so it starts before the storage opens.
            ctr = try CTRLearner(settings: configuration.ctr, logger: logger)
            try ctr.start()
            started.add(.ctr) { ctr.stop() }
        } catch {
            throw ApplicationError.dataDirectory(path: configuration.dataDirectory, reason: "\(error)")
        }
        do {
            storage = try ServiceStorage.open(
                configuration: configuration,
                logger: logger,
                demo: demo,
                observer: EventObserver(
                    events: { [ctr = ctr.observer, series = series.observer] events in
                        ctr.events(events)
                        series.events(events)
                    },
                    items: ctr.observer.items
                )
            )
            started.add(.storage) { storage.stop() }
        } catch {
            started.stopAll()
            throw ApplicationError.dataDirectory(path: configuration.dataDirectory, reason: "\(error)")
        }
        ctr.markLive()
        let risk: OrderRisk
        let riskStorage: RiskStorage
        do {
            let salt = try RiskStorage.salt(directory: configuration.dataDirectory)
            risk = try OrderRisk(settings: configuration.risk, personal: PersonalData(salt: salt), logger: logger)
            riskStorage = try RiskStorage.open(
                directory: configuration.dataDirectory,
                risk: risk,
                configuration: configuration,
                logger: logger,
                demoOrders: demo == nil ? nil : configuration.dataDirectory + "/demo/orders.csv"
            )
            started.add(.riskStorage) { riskStorage.stop() }
            try risk.start()
            started.add(.risk) { risk.stop() }
        } catch {
            started.stopAll()
            throw ApplicationError.dataDirectory(path: configuration.dataDirectory, reason: "\(error)")
        }
        let forecaster: Forecaster
        let forecastStorage: ForecastStorage
        do {
            forecaster = try Forecaster(settings: configuration.forecast, store: series, logger: logger)
            forecastStorage = try ForecastStorage.open(
                directory: configuration.dataDirectory,
                store: series,
                configuration: configuration,
                logger: logger
            )
            started.add(.forecastStorage) { forecastStorage.stop() }
            try forecaster.start()
            started.add(.forecaster) { forecaster.stop() }
        } catch {
            started.stopAll()
            throw ApplicationError.dataDirectory(path: configuration.dataDirectory, reason: "\(error)")
        }
        readiness.markReady("storage")
        let store = storage.store
        metrics.observe { store.stats }

        let models = ModelStore()
        let trainer: Trainer
        do {
            trainer = try Trainer(
                store: store,
                models: models,
                settings: configuration.trainer,
                directory: configuration.dataDirectory + "/snapshots",
                logger: logger,
                onFirstModel: { readiness.markReady("models") }
            )
            // The newest intact snapshot serves at once; the trainer catches up in the background.
            if trainer.loadNewest() { readiness.markReady("models") }
            try trainer.start()
            started.add(.trainer) { trainer.stop() }
        } catch {
            started.stopAll()
            throw ApplicationError.dataDirectory(path: configuration.dataDirectory, reason: "\(error)")
        }

        var routes = RouterBuilder()
        HealthRoutes.register(on: &routes, readiness: readiness, metrics: metrics)
        IngestRoutes(
            store: storage.store,
            events: storage.events,
            catalog: storage.catalog,
            maxBatch: configuration.maxBatch,
            metrics: metrics
        ).register(on: &routes)
        RecommendRoutes(models: models, store: store, ctr: ctr).register(on: &routes)
        CTRRoutes(learner: ctr, store: store).register(on: &routes)
        RiskRoutes(risk: risk, storage: riskStorage, store: store).register(on: &routes)
        ForecastRoutes(forecaster: forecaster, storage: forecastStorage).register(on: &routes)
        ModelRoutes(
            models: models,
            trainer: trainer,
            directory: configuration.dataDirectory + "/snapshots",
            store: store,
            maxWait: configuration.server.responseTimeout - 1
        )
        .register(on: &routes)
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
            started.stopAll()
            throw ApplicationError.dataDirectory(path: configuration.keysFile, reason: "\(error)")
        }
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
                started.stopAll()
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
            started.stopAll()
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
            ]
        )
        return Application(
            configuration: configuration,
            readiness: readiness,
            metrics: metrics,
            server: server,
            storage: storage,
            models: models,
            trainer: trainer,
            ctr: ctr,
            risk: risk,
            riskStorage: riskStorage,
            forecaster: forecaster,
            forecastStorage: forecastStorage,
            logger: logger
        )
    }

    private init(
        configuration: ServiceConfiguration,
        readiness: Readiness,
        metrics: ServiceMetrics,
        server: HTTPServer,
        storage: ServiceStorage,
        models: ModelStore,
        trainer: Trainer,
        ctr: CTRLearner,
        risk: OrderRisk,
        riskStorage: RiskStorage,
        forecaster: Forecaster,
        forecastStorage: ForecastStorage,
        logger: Logger
    ) {
        self.forecaster = forecaster
        self.forecastStorage = forecastStorage
        self.ctr = ctr
        self.risk = risk
        self.riskStorage = riskStorage
        self.storage = storage
        self.models = models
        self.trainer = trainer
        self.configuration = configuration
        self.readiness = readiness
        self.metrics = metrics
        self.server = server
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

    /// Stops accepting, finishes in-flight requests, and returns when the server has stopped.
    package func shutdown() {
        logger.info("shutting down", metadata: ["drain_s": "\(configuration.server.drainTimeout)"])
        server.shutdown()
        server.wait()
        trainer.stop()
        ctr.stop()
        risk.stop()
        riskStorage.stop()
        forecaster.stop()
        forecastStorage.stop()
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

/// The parts start-up has brought up, each with how to stop it. If a later step fails they stop
/// in ``Application/shutdown()``'s order (the trainer first, the event storage last).
private final class StartedParts {
    enum Part: Int {
        case trainer, ctr, risk, riskStorage, forecaster, forecastStorage, storage
    }

    private var parts: [(part: Part, stop: () -> Void)] = []

    func add(_ part: Part, stop: @escaping () -> Void) {
        parts.append((part, stop))
    }

    func stopAll() {
        for entry in parts.sorted(by: { $0.part.rawValue < $1.part.rawValue }) { entry.stop() }
        parts.removeAll()
    }
}
