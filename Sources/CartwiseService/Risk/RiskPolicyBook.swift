import Synchronization

/// The policy in force and the latest changes to it (for `GET /risk/changes`), rebuilt at
/// start-up by replaying the `risk-policy/` log.
package final class RiskPolicyBook: Sendable {
    private struct State {
        var policy = RiskPolicy()
        /// The latest changes, oldest first, at most ``RiskPolicyBook/keptChanges``.
        var changes: [RiskPolicyChange] = []
    }

    package static let keptChanges = 1000

    private let state = Mutex(State())

    package init() {}

    package var current: RiskPolicy { state.withLock { $0.policy } }

    /// Applies a durable change (or one replayed from the log).
    package func apply(_ change: RiskPolicyChange) {
        state.withLock { state in
            state.policy = state.policy.applying(change)
            state.changes.append(change)
            if state.changes.count > Self.keptChanges {
                state.changes.removeFirst(state.changes.count - Self.keptChanges)
            }
        }
    }

    /// The latest `limit` changes, newest first.
    package func changes(limit: Int) -> [RiskPolicyChange] {
        state.withLock { Array($0.changes.suffix(limit).reversed()) }
    }
}
