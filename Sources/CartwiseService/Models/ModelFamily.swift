/// What `/models` needs of a model family: its card, a training on request, a rollback and its
/// trainer's status. Each feature's trainer implements it; the routes are written once.
package protocol ModelFamily: Sendable {
    /// The name in `/models/{family}/train`: `recommend`, `ctr`, `risk`, `forecast`.
    var family: String { get }
    /// The version in service, or nil before the first training.
    var card: ModelCard? { get }
    /// The versions a rollback can reach (on disk or in memory), oldest first.
    var versions: [UInt64] { get }
    /// Whether a rollback holds the current version.
    var isHeld: Bool { get }
    /// What the trainer is doing.
    var status: TrainingStatus { get }
    /// Asks for a training now (it lifts a rollback's hold); `completion` runs on the trainer's
    /// thread once the new version is published or the training failed.
    func train(_ completion: @escaping @Sendable (Result<ModelCard, any Error>) -> Void)
    /// Puts the previous version back in service. May read a file: call it off the event loops.
    /// - Throws: ``TrainerError/noPreviousVersion`` when there is none.
    func rollback() throws -> ModelCard
}
