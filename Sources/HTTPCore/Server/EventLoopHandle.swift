import CLinux
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The part of an event loop that other threads may touch: its wake-up `eventfd`, a queue of
/// deferred responses to deliver, and the stop request.
final class EventLoopHandle: Sendable {
    struct Completion: Sendable {
        var fd: Int32
        var connectionID: UInt64
        var response: HTTPResponse
    }

    let wakeFD: Int32
    private let completions = Mutex<[Completion]>([])
    private let stopRequested = Atomic<Bool>(false)

    init() throws(SocketError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard fd >= 0 else { throw .lastError("eventfd") }
        wakeFD = fd
    }

    deinit {
        close(wakeFD)
    }

    /// Queues a deferred response for the loop thread and wakes it.
    func deliver(_ completion: Completion) {
        let wasEmpty = completions.withLock { queue in
            defer { queue.append(completion) }
            return queue.isEmpty
        }
        // The loop takes every queued completion per wake-up: a group of completions (one
        // group commit's promises) costs one eventfd write, not one each.
        if wasEmpty { wake() }
    }

    /// Asks the loop to stop accepting and drain.
    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        wake()
    }

    var isStopRequested: Bool { stopRequested.load(ordering: .acquiring) }

    /// Takes every queued completion (loop thread).
    func takeCompletions() -> [Completion] {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
        return completions.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }
}

/// Counts open connections across all loops, to enforce the global maximum.
final class ConnectionCounter: Sendable {
    private let open = Atomic<Int>(0)

    /// Takes a slot; returns the new count, or nil (slot not taken) when `limit` is reached.
    func acquire(limit: Int) -> Int? {
        let now = open.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            open.wrappingSubtract(1, ordering: .relaxed)
            return nil
        }
        return now
    }

    /// Releases a slot; returns the new count.
    func release() -> Int {
        open.wrappingSubtract(1, ordering: .relaxed).newValue
    }
}
