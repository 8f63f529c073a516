import COpenSSL

/// Why a TLS context could not be built, with OpenSSL's own reason.
package enum TLSError: Error, CustomStringConvertible {
    case openSSL(operation: String, reason: String)

    package var description: String {
        switch self {
        case .openSSL(let operation, let reason): return "\(operation) failed: \(reason)"
        }
    }

    /// The calling thread's OpenSSL error queue, drained into one message.
    static func drained(_ operation: String) -> TLSError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return .openSSL(
            operation: operation,
            reason: reasons.isEmpty ? "unknown error" : reasons.joined(separator: "; ")
        )
    }
}
