import Synchronization

/// A named background thread that sleeps until signalled and stops on request: the shape of the
/// log writers, the ALS trainer and the click-model learner, kept in one place.
///
/// The thread's body loops until ``isStopping`` and sleeps in ``wait(timeoutMilliseconds:)``;
/// producers call ``signal()`` after queuing work. ``stop()`` sets the flag, wakes the thread and
/// joins it, so whatever the body does on its way out (a final sync) is finished when it returns.
package final class WorkerThread: Sendable {
    private let wake: WakeSignal
    private let stopping = Atomic<Bool>(false)
    private let thread = Mutex<NativeThread?>(nil)

    /// - Throws: ``SocketError`` from `eventfd`.
    package init() throws(SocketError) {
        wake = try WakeSignal()
    }

    /// Spawns the thread running `body`.
    /// - Throws: ``SocketError`` when the thread cannot be created.
    package func start(name: String, _ body: @escaping @Sendable () -> Void) throws(SocketError) {
        let started = try NativeThread.spawn(name: name, body)
        thread.withLock { $0 = started }
    }

    /// Whether ``stop()`` was called; the body checks it between rounds of work.
    package var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Wakes the thread (work was queued, or something changed).
    package func signal() { wake.signal() }

    /// Sleeps until signalled or `timeoutMilliseconds` pass.
    /// - Returns: whether a signal arrived.
    @discardableResult
    package func wait(timeoutMilliseconds: Int32) -> Bool {
        wake.wait(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Asks the thread to stop, wakes it and waits for it to return. Safe to call twice.
    package func stop() {
        stopping.store(true, ordering: .releasing)
        wake.signal()
        let running = thread.withLock { current -> NativeThread? in
            defer { current = nil }
            return current
        }
        running?.join()
    }
}
