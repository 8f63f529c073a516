package import Logging
import Synchronization

/// The trainings asked for (`POST /models/{family}/train`) that a family's trainer thread has
/// not taken yet, and what its trainer is doing: the one place the click model, order risk and
/// the forecaster keep them.
package final class TrainingRequests: Sendable {
    package typealias Completion = @Sendable (Result<ModelCard, any Error>) -> Void

    private let waiting = Mutex<[Completion]>([])
    private let progress = Mutex(TrainingStatus())

    package init() {}

    /// Queues `completion`; the caller wakes its trainer thread.
    package func add(_ completion: @escaping Completion) {
        waiting.withLock { $0.append(completion) }
    }

    /// Every request queued so far, for the trainer thread to answer.
    package func take() -> [Completion] {
        waiting.withLock { waiting in
            defer { waiting.removeAll() }
            return waiting
        }
    }

    /// The trainer's state, with the requests still queued.
    package var status: TrainingStatus {
        var status = progress.withLock { $0 }
        status.requested = waiting.withLock { $0.count }
        return status
    }

    /// A training started now.
    package func started(at time: Int64) { progress.withLock { $0.startedAt = time } }

    /// A training that published `version`, finished at `time` after `seconds`.
    package func published(version: UInt64, at time: Int64, seconds: Double) {
        progress.withLock {
            $0.startedAt = nil
            $0.lastFinishedAt = time
            $0.lastSeconds = seconds
            $0.finish(.published, version: version)
        }
    }

    /// A training that found nothing to train on.
    package func noData() { progress.withLock { $0.finish(.noData) } }

    /// A training abandoned (the service stops).
    package func abandoned() { progress.withLock { $0.startedAt = nil } }
}

/// A model family that publishes through a ``ModelRegistry``, keeps its earlier versions in
/// memory and queues trainings in ``TrainingRequests``: `/models` needs nothing more of it.
package protocol RegistryFamily: ModelFamily {
    associatedtype Model: Sendable
    var models: ModelRegistry<Model> { get }
    var trainings: TrainingRequests { get }
    /// Wakes the trainer thread to take a queued training.
    func wakeTrainer()
    /// For the rollback's log line.
    var familyLogger: Logger { get }
}

extension RegistryFamily {
    package var family: String { models.family }
    package var card: ModelCard? { models.current?.card }
    package var versions: [UInt64] { models.versions }
    package var isHeld: Bool { models.isHeld }
    package var status: TrainingStatus { trainings.status }

    package func train(_ completion: @escaping @Sendable (Result<ModelCard, any Error>) -> Void) {
        trainings.add(completion)
        wakeTrainer()
    }

    /// The previous version, from memory; it holds until a training is asked for.
    package func rollback() throws -> ModelCard {
        guard let previous = models.rollback() else { throw TrainerError.noPreviousVersion }
        familyLogger.notice(
            "rolled back the model",
            metadata: ["family": "\(family)", "to": "\(previous.card.version)"]
        )
        return previous.card
    }
}
