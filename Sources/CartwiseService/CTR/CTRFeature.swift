/// The click model: `POST /rank` and `GET /models/ctr`. It learns from impressions and clicks as
/// the event log replays and as batches arrive, and keeps no files (the model is a function of
/// the event log).
package final class CTRFeature: Feature {
    package let learner: CTRLearner
    private let context: FeatureContext

    package init(_ context: FeatureContext) throws {
        self.context = context
        learner = try CTRLearner(settings: context.configuration.ctr, logger: context.logger)
        context.events.subscribe("ctr", learner.observer)
    }

    package var name: String { "ctr" }
    package var families: [any ModelFamily] { [learner] }

    /// The learner runs while the log replays: it learns in stream order from the start.
    package func prepare() throws { try learner.start() }

    package func start(storage: ServiceStorage) throws { learner.markLive() }

    package func register(on routes: inout ServiceRoutes) {
        CTRRoutes(learner: learner, store: context.store).register(on: &routes)
    }

    package func stop() { learner.stop() }
}
