import Synchronization

/// Series that requests asked for before the trainer fitted them, in arrival order, each with
/// the requests waiting on it.
///
/// Bounded: a request for one more series than `limit` is refused rather than queued, so the
/// on-demand thread's backlog (and what a shutdown leaves unanswered) stays small. Requests for
/// a series already queued or being fitted join it and cost nothing more.
final class PendingFits: Sendable {
    typealias Waiter = @Sendable (ForecastSnapshot.Entry?) -> Void

    private struct State {
        var queue: [String] = []
        var waiting: [String: [Waiter]] = [:]
    }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Queues `id` (unless it is queued or being fitted already) with `waiter`.
    /// - Returns: false when `limit` series wait already.
    func add(_ id: String, _ waiter: @escaping Waiter) -> Bool {
        state.withLock { state in
            if state.waiting[id] != nil {
                state.waiting[id]!.append(waiter)
                return true
            }
            guard state.waiting.count < limit else { return false }
            state.waiting[id] = [waiter]
            state.queue.append(id)
            return true
        }
    }

    /// The next series to fit; it stays joinable until ``finish(_:)``.
    func next() -> String? {
        state.withLock { state in state.queue.isEmpty ? nil : state.queue.removeFirst() }
    }

    /// The waiters of a fitted series, which is no longer pending.
    func finish(_ id: String) -> [Waiter] {
        state.withLock { state in state.waiting.removeValue(forKey: id) ?? [] }
    }

    /// Every waiter still pending, for a shutdown to answer.
    func drain() -> [Waiter] {
        state.withLock { state in
            defer { state = State() }
            return state.waiting.values.flatMap { $0 }
        }
    }
}
