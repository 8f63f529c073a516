import COpenSSL
import Synchronization

/// An OpenSSL server context built from PEM files: TLS 1.2 and 1.3 only, forward-secret AEAD
/// cipher suites (Mozilla's "intermediate" list for 1.2, OpenSSL's defaults for 1.3), no
/// compression or renegotiation, ALPN `http/1.1`.
///
/// `@unchecked Sendable`: the `SSL_CTX` is fully configured in `init` and never changed
/// afterwards; OpenSSL documents `SSL_new` on a shared, no-longer-modified `SSL_CTX` as safe
/// from any thread (it takes its reference under OpenSSL's own lock).
package final class TLSContext: @unchecked Sendable {
    static let cipherList =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

    let pointer: OpaquePointer
    package let certificatePath: String
    package let keyPath: String

    /// - Parameters:
    ///   - certificatePath: PEM, the server certificate first, then its chain.
    ///   - keyPath: PEM private key matching the certificate.
    /// - Throws: ``TLSError`` with OpenSSL's reason.
    package init(certificatePath: String, keyPath: String) throws(TLSError) {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw TLSError.drained("SSL_CTX_new") }
        pointer = context
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        guard cw_ssl_ctx_set_protocols_tls12_tls13(context) == 1 else { throw TLSError.drained("protocol versions") }
        cw_ssl_ctx_harden(context)
        guard SSL_CTX_set_cipher_list(context, Self.cipherList) == 1 else { throw TLSError.drained("cipher list") }
        guard SSL_CTX_use_certificate_chain_file(context, certificatePath) == 1 else {
            throw TLSError.drained("reading the certificate chain \(certificatePath)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, keyPath, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError.drained("reading the private key \(keyPath)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError.drained("matching the private key to the certificate")
        }
        cw_ssl_ctx_enable_alpn_http11(context)
    }

    deinit {
        SSL_CTX_free(pointer)
    }
}

/// The TLS context new connections use, replaceable while serving: a reload (SIGHUP) builds a
/// new context from the same files and swaps it in; connections already open keep the context
/// they started with (each `SSL` holds a reference), so none is dropped.
package final class TLSProvider: Sendable {
    private let current: Mutex<TLSContext>

    package init(certificatePath: String, keyPath: String) throws(TLSError) {
        current = Mutex(try TLSContext(certificatePath: certificatePath, keyPath: keyPath))
    }

    package var context: TLSContext { current.withLock { $0 } }

    /// Re-reads the certificate and key; on failure the old context stays in service.
    /// - Throws: ``TLSError``.
    package func reload() throws(TLSError) {
        let old = context
        let fresh = try TLSContext(certificatePath: old.certificatePath, keyPath: old.keyPath)
        current.withLock { $0 = fresh }
    }
}
