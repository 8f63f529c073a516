/// Recommendations: the implicit-ALS trainer with its `snapshots/` directory, and `/recommend`,
/// `/similar-items`. It reranks with the click model when one is given.
package final class RecommendFeature: Feature {
    package let trainer: RecommendTrainer
    private let ctr: CTRLearner?
    private let context: FeatureContext

    package init(_ context: FeatureContext, ctr: CTRLearner?) throws {
        self.context = context
        self.ctr = ctr
        let readiness = context.readiness
        readiness.expect("models")
        trainer = try RecommendTrainer(
            store: context.store,
            models: ModelRegistry(family: "recommend", keep: context.configuration.trainer.keep),
            settings: context.configuration.trainer,
            directory: DataLayout(context.directory).snapshots,
            logger: context.logger,
            onFirstModel: { readiness.markReady("models") }
        )
        context.events.subscribe("recommend") { [trainer] _ in trainer.eventsArrived() }
    }

    package var name: String { "recommend" }
    package var families: [any ModelFamily] { [trainer] }

    /// The newest intact snapshot serves at once; the trainer catches up in the background.
    package func start(storage: ServiceStorage) throws {
        if trainer.loadNewest() { context.readiness.markReady("models") }
        try trainer.start()
    }

    package func register(on routes: inout ServiceRoutes) {
        RecommendRoutes(models: trainer.models, store: context.store, ctr: ctr).register(on: &routes)
    }

    package func stop() { trainer.stop() }
}
