import COpenSSL

/// Hashes emails and IP addresses before they reach memory maps, the audit trail or logs:
/// SHA-256 over a per-data-directory secret salt and the value, so the audit trail can still
/// link two orders from one email without holding the email, and a leaked trail cannot be
/// reversed with a list of common addresses.
package struct PersonalData: Sendable {
    package let salt: [UInt8]

    package init(salt: [UInt8]) {
        self.salt = salt
    }

    /// The first 16 bytes of SHA-256(salt ‖ value), as 32 hex digits.
    package func hash(_ value: String) -> String {
        var input = salt
        input.append(contentsOf: value.utf8)
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        input.withUnsafeBufferPointer { bytes in
            digest.withUnsafeMutableBufferPointer { out in
                _ = SHA256(bytes.baseAddress, bytes.count, out.baseAddress)
            }
        }
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(32)
        for byte in digest.prefix(16) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// 32 random bytes from OpenSSL's generator, for a new data directory.
    package static func newSalt() -> [UInt8] {
        var salt = [UInt8](repeating: 0, count: 32)
        let ok = salt.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, 32) }
        precondition(ok == 1, "OpenSSL's random generator failed")
        return salt
    }
}
