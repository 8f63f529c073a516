import Synchronization

/// Order risk: the salted personal-data hashes, the `orders/`, `audit/` and `labels/` logs, the
/// risk trainer, and `/score-order`, `/labels`, `/score-order/thresholds`, `GET /models/risk`.
package final class RiskFeature: Feature {
    package let risk: OrderRisk
    private let storage = StartedPart<RiskStorage>()
    private let erased = StartedPart<ErasedUsers>()
    private let context: FeatureContext
    private let importListeners = Mutex<[@Sendable ([OrderRecord]) -> Void]>([])

    package init(_ context: FeatureContext) throws {
        self.context = context
        let salt = try RiskStorage.salt(directory: context.directory)
        risk = try OrderRisk(
            settings: context.configuration.risk,
            personal: PersonalData(salt: salt),
            logger: context.logger
        )
    }

    /// Hears the imported orders as the orders log replays; register before ``start(storage:)``.
    package func onImportedOrders(_ listener: @escaping @Sendable ([OrderRecord]) -> Void) {
        importListeners.withLock { $0.append(listener) }
    }

    package var name: String { "risk" }
    package var families: [any ModelFamily] { [risk] }

    /// After the event log: the demo store's orders are generated with it.
    package func start(storage events: ServiceStorage) throws {
        storage.set(
            try RiskStorage.open(
                directory: context.directory,
                risk: risk,
                configuration: context.configuration,
                logger: context.logger,
                // `cartwise demo` writes it, then any `serve` of the directory loads it once.
                demoOrders: DataLayout(context.directory).demoOrders,
                catalog: { [store = context.store] in store.item($0)?.categories },
                imported: { [listeners = importListeners.withLock { $0 }] batch in
                    for listener in listeners { listener(batch) }
                }
            )
        )
        erased.set(events.erased)
        events.erased.onErase { [risk] user in risk.history.forget(user: user) }
        try risk.start()
    }

    package func register(on routes: inout ServiceRoutes) {
        RiskRoutes(
            risk: risk,
            storage: storage.get,
            store: context.store,
            pool: context.pool,
            metrics: context.metrics,
            erased: erased.get
        ).register(on: &routes)
        RiskPolicyRoutes(risk: risk, storage: storage.get, callers: context.callers).register(on: &routes)
    }

    package func stop() {
        risk.stop()
        storage.ifStarted?.stop()
    }
}
