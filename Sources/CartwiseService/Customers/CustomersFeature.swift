/// Customers: profiles, segments, lifetime value and churn risk (`/customers`, `/segments`,
/// `GET /models/customers`). It keeps no files: the model is a function of the event log and
/// the imported orders, rebuilt from them at start.
package final class CustomersFeature: Feature {
    package let trainer: CustomerTrainer
    /// Sections other features add to `GET /customers/{id}`.
    package let sections = CustomerSections()
    private let context: FeatureContext

    /// - Parameters:
    ///   - context: the shared parts.
    ///   - risk: the imported orders come through its orders log.
    /// - Throws: ``SocketError`` when the trainer's wake-up descriptor cannot be made.
    package init(_ context: FeatureContext, risk: RiskFeature) throws {
        self.context = context
        trainer = try CustomerTrainer(
            settings: context.configuration.customers,
            logger: context.logger,
            catalog: { [store = context.store] in store.item($0) }
        )
        let trainer = trainer
        context.events.subscribe(
            "customers",
            events: { events in
                trainer.ledger.apply(events)
                if events.contains(where: { $0.type == .purchase || $0.type == .returned }) { trainer.dataChanged() }
            }
        )
        risk.onImportedOrders { orders in trainer.ledger.apply(orders: orders) }
    }

    package var name: String { "customers" }
    package var families: [any ModelFamily] { [trainer] }

    /// After the order risk feature (whose orders log it hears replayed): the first model sees
    /// every event and imported order.
    package func start(storage: ServiceStorage) throws {
        storage.erased.onErase { [trainer] user in
            trainer.ledger.forget(user: user)
            trainer.dataChanged()
        }
        try trainer.start()
    }

    package func register(on routes: inout ServiceRoutes) {
        CustomerRoutes(trainer: trainer, sections: sections).register(on: &routes)
    }

    package func stop() { trainer.stop() }
}
