import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// One connection's TLS state over its non-blocking socket. The event loop drives it: a
/// handshake step or a read or write either makes progress or says which readiness it waits
/// for, so a slow handshake never stalls the loop.
final class TLSSession {
    enum Progress {
        case done
        case wantRead
        case wantWrite
        /// The peer closed the TLS session.
        case closed
        case failed
    }

    enum Transfer {
        case bytes(Int)
        case blocked(Progress)
    }

    private let ssl: OpaquePointer
    private(set) var isEstablished = false
    /// The last operation waits for the socket to become writable.
    var wantsWrite = false
    /// Keeps the context alive as long as the session (a reload may replace the provider's).
    private let context: TLSContext

    init?(context: TLSContext, fd: Int32) {
        guard let ssl = SSL_new(context.pointer) else { return nil }
        self.ssl = ssl
        self.context = context
        SSL_set_fd(ssl, fd)
        SSL_set_accept_state(ssl)
    }

    deinit {
        SSL_free(ssl)
    }

    /// One handshake step.
    func handshake() -> Progress {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isEstablished = true
            wantsWrite = false
            return .done
        }
        return classify(result)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Transfer {
        let count = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if count > 0 { return .bytes(Int(count)) }
        return .blocked(classify(count))
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Transfer {
        guard !bytes.isEmpty else { return .bytes(0) }
        let count = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))
        if count > 0 { return .bytes(Int(count)) }
        return .blocked(classify(count))
    }

    /// Sends close_notify if it can without blocking; the socket closes right after anyway.
    func shutdown() {
        if isEstablished { _ = SSL_shutdown(ssl) }
    }

    private func classify(_ result: Int32) -> Progress {
        let error = SSL_get_error(ssl, result)
        switch error {
        case SSL_ERROR_WANT_READ:
            wantsWrite = false
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            wantsWrite = true
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SYSCALL where errno == EINTR:
            return .wantRead
        default:
            ERR_clear_error()
            return .failed
        }
    }
}
