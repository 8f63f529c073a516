package import HTTPCore
import Synchronization

/// A few threads for the requests that must not run on an event loop: they read files, scan a
/// dataset, or wait on a lock a trainer may hold for a whole run. A loop that ran them stalled
/// every connection it owned for as long (docs/architecture.md, "Threads").
///
/// Jobs run in submission order on the first free thread. The queue is bounded: past
/// ``maxQueued`` a request is answered 503 with `Retry-After` at once, so a burst of slow calls
/// cannot pile up unbounded memory or outlive the response timeout.
package final class BlockingPool: Sendable {
    private struct Job: Sendable {
        let promise: HTTPResponsePromise
        let work: @Sendable () throws -> HTTPResponse
    }

    private let queue = Mutex<[Job]>([])
    private let workers: [WorkerThread]
    package let maxQueued: Int

    /// - Parameters:
    ///   - threads: how many jobs may run at once.
    ///   - maxQueued: jobs waiting beyond this are refused.
    /// - Throws: ``SocketError`` when a thread cannot be created.
    package init(threads: Int, maxQueued: Int = 64) throws {
        self.maxQueued = maxQueued
        workers = try (0..<max(1, threads)).map { _ in try WorkerThread() }
        for (index, worker) in workers.enumerated() {
            try worker.start(name: "blocking-\(index)") { [self] in run(worker) }
        }
    }

    /// Runs `work` on a pool thread and completes `promise` with its response, or with the
    /// problem its error renders as.
    package func submit(_ promise: HTTPResponsePromise, _ work: @escaping @Sendable () throws -> HTTPResponse) {
        let accepted = queue.withLock { jobs -> Bool in
            guard jobs.count < maxQueued else { return false }
            jobs.append(Job(promise: promise, work: work))
            return true
        }
        guard accepted else {
            promise.succeed(
                ProblemDetails(
                    .serviceUnavailable,
                    detail: "\(maxQueued) slow requests are already waiting; retry in a few seconds",
                    headers: ["Retry-After": "2"]
                ).makeResponse()
            )
            return
        }
        for worker in workers { worker.signal() }
    }

    /// Finishes the running jobs, answers the waiting ones 503 and joins the threads.
    package func stop() {
        for worker in workers { worker.stop() }
        let left = queue.withLock { jobs in
            defer { jobs.removeAll() }
            return jobs
        }
        for job in left {
            job.promise.succeed(
                ProblemDetails(.serviceUnavailable, detail: "the service is stopping", headers: ["Retry-After": "5"])
                    .makeResponse()
            )
        }
    }

    private func run(_ worker: WorkerThread) {
        while !worker.isStopping {
            let job = queue.withLock { jobs in jobs.isEmpty ? nil : jobs.removeFirst() }
            guard let job else {
                worker.wait(timeoutMilliseconds: 1000)
                continue
            }
            let response: HTTPResponse
            do {
                response = try job.work()
            } catch {
                response = ErrorRendering.response(for: error)
            }
            job.promise.succeed(response)
        }
    }
}
