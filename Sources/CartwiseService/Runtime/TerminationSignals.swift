#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM/SIGINT (stop) and SIGHUP (reload the TLS certificate) without async-signal-safety
/// hazards: the signals are blocked in every thread and one thread takes them with `sigwait`.
package enum TerminationSignals {
    /// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread; threads started afterwards inherit the
    /// mask. Call before starting the server.
    package static func block() {
        var set = signalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for SIGTERM, SIGINT or SIGHUP.
    /// - Returns: the signal number.
    package static func wait() -> Int32 {
        var set = signalSet()
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGHUP)
        return set
    }
}
