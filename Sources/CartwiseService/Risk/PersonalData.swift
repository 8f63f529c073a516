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
        Crypto.hex(Crypto.sha256(salt + Array(value.utf8)).prefix(16))
    }

    /// An address's hash: of its normalized form, so spellings of one parcel drop match.
    package func hash(address: String) -> String { hash(Order.normalizedAddress(address)) }

    /// 32 random bytes, for a new data directory.
    package static let saltBytes = 32

    package static func newSalt() -> [UInt8] { Crypto.randomBytes(saltBytes) }
}
