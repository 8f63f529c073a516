#if canImport(Glibc)
import Glibc
#endif

/// A failed socket or epoll call, with the `errno` captured where it happened.
///
/// Catching later would lose `errno`, so every wrapper builds this error right after the call.
package enum SocketError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A system call failed; `call` names it (`bind`, `epoll_ctl`, ...).
    case systemCall(call: String, errno: Int32)
    /// The host could not be resolved to an IPv4 or IPv6 address.
    case unresolvableHost(host: String, reason: String)

    /// Builds ``systemCall(call:errno:)`` from the current thread's `errno`.
    package static func lastError(_ call: String) -> SocketError {
        .systemCall(call: call, errno: errno)
    }

    package var description: String {
        switch self {
        case .systemCall(let call, let code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .unresolvableHost(let host, let reason):
            return "cannot resolve host '\(host)': \(reason)"
        }
    }
}
