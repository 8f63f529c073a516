package import Logging
import Synchronization

/// A model family as one unit of the service: its settings, its data subdirectory, the events
/// it subscribes to, its routes (each with the scopes it needs), its trainer and its lifecycle.
/// Adding a family is a folder with a type that conforms, plus one line in
/// ``Application/features(_:)`` (docs/architecture.md, "How to add a model feature").
///
/// The lifecycle, driven by ``Application``:
/// 1. `init(context)`: build the parts and subscribe to ``FeatureContext/events``; start no thread.
/// 2. ``prepare()``, in list order: start what must learn while the event log replays.
/// 3. The event log replays (and the demo store is generated) through the fan-out.
/// 4. ``start(storage:)``, in list order: open the feature's own logs, start its trainer.
/// 5. ``register(on:)``: its routes, with what they need captured.
/// 6. ``stop()``, in reverse order, after the server has drained.
/// A failure at any step stops the features already started, in reverse order.
package protocol Feature: AnyObject, Sendable {
    /// The family's name: `/models/{name}/...`, and its data subdirectory where it has one.
    var name: String { get }
    /// The model families it serves, for `GET /models` and the train and rollback routes.
    var families: [any ModelFamily] { get }
    func prepare() throws
    func start(storage: ServiceStorage) throws
    func register(on routes: inout ServiceRoutes)
    func stop()
}

extension Feature {
    package func prepare() throws {}
}

/// What every feature is built with: shared, created once by ``Application``.
package struct FeatureContext: Sendable {
    package let configuration: ServiceConfiguration
    package let logger: Logger
    package let readiness: Readiness
    package let metrics: ServiceMetrics
    /// For requests that must not run on an event loop.
    package let pool: BlockingPool
    /// Subscribe here (in `init`) to hear of durable events.
    package let events: EventFanOut
    /// The event store, empty until the log replays.
    package let store: EventStore
    /// Set when the service generates the demo store into an empty directory.
    package let demo: DemoStore.Options?
    /// The API key behind a request, for audits of who changed what.
    package let callers: Callers

    /// The data directory.
    package var directory: String { configuration.dataDirectory }

    /// Every path in the data directory.
    package var layout: DataLayout { DataLayout(configuration.dataDirectory) }
}

/// A part a feature opens in ``Feature/start(storage:)`` and its routes capture at
/// registration: set once, read after.
package final class StartedPart<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)

    package init() {}

    package func set(_ started: Value) { value.withLock { $0 = started } }

    /// The part; only after ``Feature/start(storage:)`` succeeded.
    package var get: Value {
        guard let started = value.withLock({ $0 }) else { preconditionFailure("read before the feature started") }
        return started
    }

    /// The part, or nil when the feature did not get that far.
    package var ifStarted: Value? { value.withLock { $0 } }
}
