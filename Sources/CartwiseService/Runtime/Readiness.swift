import Synchronization

/// Which start-up components are ready; `/readyz` answers 200 only when all are.
///
/// Components register as not ready before the server starts and flip once their work is
/// done, so a load balancer never routes to a replica still loading its models.
package final class Readiness: Sendable {
    private let components = Mutex<[String: Bool]>([:])

    package init() {}

    /// Registers `name` as not ready yet.
    package func expect(_ name: String) {
        components.withLock { $0[name] = false }
    }

    package func markReady(_ name: String) {
        components.withLock { $0[name] = true }
    }

    /// Every component and whether it is ready.
    package var status: [String: Bool] { components.withLock { $0 } }

    package var isReady: Bool { components.withLock { !$0.isEmpty && $0.values.allSatisfy { $0 } } }
}
