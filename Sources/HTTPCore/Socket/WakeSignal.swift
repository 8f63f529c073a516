import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// A counting wake-up between threads, backed by a blocking `eventfd`.
///
/// Producers call ``signal()`` after queuing work under their own `Mutex`; the consumer thread
/// sleeps in ``wait(timeoutMilliseconds:)``. The kernel holds the count, so a signal sent
/// before the consumer waits is never lost, and no lock is held while sleeping.
package final class WakeSignal: Sendable {
    private let fd: Int32

    /// - Throws: ``SocketError`` from `eventfd`.
    package init() throws(SocketError) {
        let fd = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard fd >= 0 else { throw .lastError("eventfd") }
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    /// Wakes the waiter (or makes its next wait return at once).
    package func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// Sleeps until signalled or until the timeout passes; negative means no timeout.
    /// - Returns: true if it was signalled.
    @discardableResult
    package func wait(timeoutMilliseconds: Int32 = -1) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, timeoutMilliseconds)
        guard ready > 0 else { return false }
        var counter: UInt64 = 0
        _ = read(fd, &counter, 8)
        return true
    }
}
