import Synchronization

/// A model family's served model, one per family, the same for every family: the trainer builds
/// the next version outside any lock and publishes it with one swap; readers take the current
/// version once per request (a retain under a very short lock) and use only it.
///
/// It keeps the last ``keep`` versions in memory for `POST /models/{family}/rollback`. A
/// rollback *holds*: automatic trainings keep running but do not replace the rolled-back version
/// until someone asks for a training (`POST /models/{family}/train`), because a model rolled
/// back for being bad should not come back by itself a minute later.
package final class ModelRegistry<Model: Sendable>: Sendable {
    /// A published version with its card.
    package struct Published: Sendable {
        package let model: Model
        package let card: ModelCard

        package init(model: Model, card: ModelCard) {
            self.model = model
            self.card = card
        }
    }

    private struct State {
        var current: Published? {
            didSet { model = current?.model }
        }
        /// `current`'s model alone: what a request reads, one reference to retain instead of the
        /// card's strings and arrays too.
        var model: Model?
        /// Older versions, oldest first.
        var history: [Published] = []
        var held = false
        /// The highest version ever published: a version number is never reused for another model.
        var highest: UInt64 = 0
        /// Counts every swap, so an ``update(_:)`` built from an older state is retried.
        var generation: UInt64 = 0
    }

    package let family: String
    package let keep: Int
    private let state = Mutex(State())

    /// - Parameters:
    ///   - family: the family's name, as in `/models/{family}`.
    ///   - keep: versions kept for rollback, the current one included.
    package init(family: String, keep: Int = 5) {
        self.family = family
        self.keep = max(1, keep)
    }

    /// The version in service, or nil before the first training.
    package var current: Published? { state.withLock { $0.current } }

    /// The model in service.
    package var model: Model? { state.withLock { $0.model } }

    /// The highest version ever published (0 before the first); the next training's is above it.
    package var highestVersion: UInt64 { state.withLock { $0.highest } }

    /// Whether a rollback holds the current version against automatic trainings.
    package var isHeld: Bool { state.withLock { $0.held } }

    /// The versions in memory, oldest first, the current one last.
    package var versions: [UInt64] {
        state.withLock { state in state.history.map(\.card.version) + (state.current.map { [$0.card.version] } ?? []) }
    }

    /// Installs `model` if it is newer than the one in service.
    /// - Parameters:
    ///   - model: the new version.
    ///   - card: what `GET /models` says of it.
    ///   - requested: a training someone asked for; it lifts a rollback's hold, where an
    ///     automatic training is ignored while the hold lasts.
    /// - Returns: whether it was installed.
    @discardableResult
    package func publish(_ model: Model, card: ModelCard, requested: Bool = false) -> Bool {
        state.withLock { state in
            if state.held && !requested { return false }
            if card.version <= state.highest { return false }
            install(Published(model: model, card: card), in: &state)
            state.held = false
            return true
        }
    }

    /// Replaces the current model with one built from it, outside the lock: `build` may take
    /// long (a copy of every forecast). Retried when another publication came in between.
    /// - Parameter build: the next model and card from the current one (nil: nothing to do).
    /// - Returns: what is in service afterwards.
    @discardableResult
    package func update(_ build: (Published?) -> Published?) -> Published? {
        while true {
            let (base, generation) = state.withLock { ($0.current, $0.generation) }
            guard let next = build(base) else { return base }
            let swapped = state.withLock { state -> Bool in
                guard state.generation == generation else { return false }
                if next.card.version > state.highest {
                    install(next, in: &state)
                } else {
                    // Same version, more content (a series fitted on demand): no new history entry.
                    state.current = next
                    state.highest = max(state.highest, next.card.version)
                    state.generation &+= 1
                }
                return true
            }
            if swapped { return next }
        }
    }

    /// Puts the newest older version back in service and holds it.
    /// - Returns: it, or nil when there is none in memory.
    package func rollback() -> Published? {
        state.withLock { state in
            guard let previous = state.history.popLast() else { return nil }
            state.current = previous
            state.held = true
            state.generation &+= 1
            return previous
        }
    }

    /// Puts `version` (read back from disk) in service and holds it; the current one is dropped.
    package func restore(_ version: Published) {
        state.withLock { state in
            state.highest = max(state.highest, state.current?.card.version ?? 0)
            state.history.removeAll { $0.card.version >= version.card.version }
            state.current = version
            state.held = true
            state.generation &+= 1
        }
    }

    /// Lifts a rollback's hold without publishing (a training was asked for and found nothing new).
    package func release() { state.withLock { $0.held = false } }

    private func install(_ next: Published, in state: inout State) {
        state.highest = max(state.highest, next.card.version)
        if let current = state.current { state.history.append(current) }
        if state.history.count > keep - 1 { state.history.removeFirst(state.history.count - (keep - 1)) }
        state.current = next
        state.generation &+= 1
    }
}
