import Synchronization

/// Holds the snapshot in service. Readers copy the reference (a retain under a very short lock);
/// the trainer builds the next snapshot outside any lock and swaps it in.
package final class ModelStore: Sendable {
    private let current = Mutex<ModelSnapshot?>(nil)

    package init() {}

    /// The snapshot in service now, or nil before the first training.
    package var snapshot: ModelSnapshot? { current.withLock { $0 } }

    /// Installs `next` if it is newer than the current one.
    /// - Returns: whether it was installed.
    @discardableResult
    package func publish(_ next: ModelSnapshot) -> Bool {
        current.withLock { snapshot in
            if let snapshot, snapshot.version >= next.version { return false }
            snapshot = next
            return true
        }
    }

    /// Installs `previous` even though it is older (rollback).
    package func replace(with previous: ModelSnapshot) {
        current.withLock { $0 = previous }
    }
}
