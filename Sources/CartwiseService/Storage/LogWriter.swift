import HTTPCore
package import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one thread that appends to a ``RecordLog``, with group commit: every batch queued while a
/// `fdatasync` runs shares the next one, so N concurrent writers pay for about one sync, not N.
///
/// Completions run on the writer thread after the data is durable (per ``Durability``), in
/// submission order; they must be quick (apply to memory, complete an HTTP promise).
package final class LogWriter: Sendable {
    package typealias Completion = @Sendable (Result<RecordLog.Location, StorageError>) -> Void

    private struct Pending: Sendable {
        var payload: [UInt8]
        var completion: Completion
    }

    package let log: RecordLog
    private let durability: Durability
    private let queue = Mutex<[Pending]>([])
    private let worker: WorkerThread
    private let logger: Logger
    private let syncs = Atomic<Int>(0)

    package init(log: RecordLog, durability: Durability, name: String, logger: Logger) throws {
        self.log = log
        self.durability = durability
        self.logger = logger
        worker = try WorkerThread()
        try worker.start(name: name) { [self] in run() }
    }

    /// Queues a record; `completion` runs once it is written (and synced, per durability).
    package func submit(_ payload: [UInt8], completion: @escaping Completion) {
        let wasEmpty = queue.withLock { queue in
            defer { queue.append(Pending(payload: payload, completion: completion)) }
            return queue.isEmpty
        }
        // The writer takes the whole queue after each wake-up: a record queued behind another
        // is taken with it, so only the first of a group pays for waking the thread.
        if wasEmpty { worker.signal() }
    }

    /// Writes a record and waits for it (imports, demo generation, tests).
    /// - Throws: ``StorageError``.
    package func write(_ payload: [UInt8]) throws(StorageError) -> RecordLog.Location {
        let result = Mutex<Result<RecordLog.Location, StorageError>?>(nil)
        let done = try? WakeSignal()
        submit(payload) { outcome in
            result.withLock { $0 = outcome }
            done?.signal()
        }
        while result.withLock({ $0 }) == nil { done?.wait(timeoutMilliseconds: 100) }
        return try result.withLock { $0! }.get()
    }

    /// How many `fdatasync` calls were made (for tests of group commit).
    package var syncCount: Int { syncs.load(ordering: .relaxed) }

    /// Writes what is queued, syncs, and stops the thread.
    package func stop() {
        worker.stop()
    }

    private func run() {
        var dirty = false
        var lastSync = MonotonicClock.milliseconds()
        while true {
            let timeout: Int32
            if case .interval(let milliseconds) = durability, dirty {
                timeout = Int32(max(1, Int64(milliseconds) - (MonotonicClock.milliseconds() - lastSync)))
            } else {
                timeout = -1
            }
            worker.wait(timeoutMilliseconds: timeout)
            let batch = queue.withLock { pending in
                defer { pending.removeAll(keepingCapacity: true) }
                return pending
            }
            if !batch.isEmpty {
                do {
                    let locations = try log.append(batch.map(\.payload))
                    if durability == .fsync {
                        try log.sync()
                        syncs.add(1, ordering: .relaxed)
                        lastSync = MonotonicClock.milliseconds()
                    } else {
                        dirty = true
                        log.startWriteback(atLeast: Self.writebackBytes)
                    }
                    for (pending, location) in zip(batch, locations) { pending.completion(.success(location)) }
                } catch {
                    logger.error("log write failed", metadata: ["directory": "\(log.directory)", "error": "\(error)"])
                    for pending in batch { pending.completion(.failure(error)) }
                }
            }
            if dirty, case .interval(let milliseconds) = durability,
                MonotonicClock.milliseconds() - lastSync >= Int64(milliseconds)
            {
                syncQuietly()
                dirty = false
                lastSync = MonotonicClock.milliseconds()
            }
            if worker.isStopping && queue.withLock({ $0.isEmpty }) {
                if dirty { syncQuietly() }
                return
            }
        }
    }

    /// Without a sync per batch, written data is handed to the kernel's writeback every this
    /// many bytes, so a sync (at an interval, or at rotation) finds little left to write.
    static let writebackBytes = 1 << 20

    private func syncQuietly() {
        do {
            try log.sync()
            syncs.add(1, ordering: .relaxed)
        } catch {
            logger.error("log sync failed", metadata: ["directory": "\(log.directory)", "error": "\(error)"])
        }
    }
}
