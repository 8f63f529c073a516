#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The API keys file (`keys.json` in the data directory): each key's name, scopes, rate limit
/// and SHA-256 digest. The key itself is shown once, by ``add(name:scopes:ratePerSecond:burst:now:)``,
/// and never stored.
package struct APIKeyStore: Sendable {
    package struct Key: Sendable, Codable, Equatable {
        package var name: String
        /// Hex SHA-256 of the key.
        package var sha256: String
        package var scopes: [Scope]
        /// Requests per second refilled into the key's bucket; 0 = unlimited.
        package var ratePerSecond: Double
        /// The bucket's size: how many requests may come at once.
        package var burst: Double
        package var createdAt: String

        enum CodingKeys: String, CodingKey {
            case name, sha256, scopes
            case ratePerSecond = "rate_per_s"
            case burst
            case createdAt = "created_at"
        }
    }

    private struct File: Codable {
        var keys: [Key]
    }

    package let path: String

    package init(path: String) {
        self.path = path
    }

    /// The keys, or none when the file does not exist.
    /// - Throws: ``StorageError`` when it cannot be read, or a decoding error when it is not a keys file.
    package func load() throws -> [Key] {
        guard FileSystem.exists(path) else { return [] }
        return try JSONDecoder().decode(File.self, from: Data(try FileSystem.readAll(path))).keys
    }

    /// Adds a key and returns it: the only time it exists outside the caller's hands.
    /// - Throws: ``APIKeyError/duplicateName(_:)``, or what reading and writing the file throw.
    package func add(
        name: String,
        scopes: [Scope],
        ratePerSecond: Double,
        burst: Double,
        now: String
    ) throws -> String {
        var keys = try load()
        guard !keys.contains(where: { $0.name == name }) else { throw APIKeyError.duplicateName(name) }
        let secret = "cw_" + Crypto.hex(Crypto.randomBytes(24))
        keys.append(
            Key(
                name: name,
                sha256: Crypto.hex(Crypto.sha256(Array(secret.utf8))),
                scopes: scopes,
                ratePerSecond: ratePerSecond,
                burst: burst,
                createdAt: now
            )
        )
        try save(keys)
        return secret
    }

    /// - Throws: ``APIKeyError/unknownName(_:)``, or what reading and writing the file throw.
    package func remove(name: String) throws {
        var keys = try load()
        guard keys.contains(where: { $0.name == name }) else { throw APIKeyError.unknownName(name) }
        keys.removeAll { $0.name == name }
        try save(keys)
    }

    /// Writes a new file and renames it over the old one: a running server never reads half a file.
    private func save(_ keys: [Key]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = path + ".tmp"
        if FileSystem.exists(temporary) { try FileSystem.remove(temporary) }
        try FileSystem.writeNew(temporary, Array(try encoder.encode(File(keys: keys))))
        try FileSystem.rename(temporary, to: path)
    }
}

package enum APIKeyError: Error, CustomStringConvertible {
    case duplicateName(String)
    case unknownName(String)

    package var description: String {
        switch self {
        case .duplicateName(let name): return "a key named '\(name)' already exists (remove it first)"
        case .unknownName(let name): return "no key is named '\(name)'"
        }
    }
}
