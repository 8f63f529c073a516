import HTTPCore
import Synchronization

/// Runs independent jobs on a few threads (the calling one included), handing out indexes one
/// at a time so that a slow job does not hold up a fixed share of the others. ALS half-steps and
/// forecast fits both run on it.
package enum ParallelMap {
    /// - Parameters:
    ///   - count: how many jobs.
    ///   - threads: threads in all, the calling one included.
    ///   - name: the helper threads' name.
    ///   - job: computes result `index`.
    /// - Returns: the results, in index order.
    package static func run<T: Sendable>(
        count: Int,
        threads: Int,
        name: String = "parallel-worker",
        _ job: @escaping @Sendable (Int) -> T
    ) -> [T] {
        let results = Mutex<[T?]>(Array(repeating: nil, count: count))
        let next = Atomic<Int>(0)
        let work: @Sendable () -> Void = {
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                let value = job(index)
                results.withLock { $0[index] = value }
            }
        }
        let workers = (0..<max(0, min(threads, count) - 1)).compactMap { _ in
            try? NativeThread.spawn(name: name, work)
        }
        work()
        for worker in workers { worker.join() }
        return results.withLock { $0.map { $0! } }
    }
}
