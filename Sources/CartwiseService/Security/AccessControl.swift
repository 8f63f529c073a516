package import HTTPCore
package import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The router's gate: `Authorization: Bearer <key>` checked against the keys file, the route's
/// scope, and the key's token bucket.
///
/// - 401 without a key or with an unknown one, 403 outside the key's scopes, 429 with
///   `Retry-After` when its bucket is empty; `/healthz` and `/readyz` stay open.
/// - A presented key is hashed and compared digest to digest in constant time; keys are never
///   logged, and a key's name is all that reaches the logs.
/// - The file is re-read when it changes (checked at most once a second), so `cartwise keys add`
///   takes effect on a running server.
/// - With no keys at all, authentication is off (the demo): the server says so at start.
package final class AccessControl: Sendable {
    private struct Loaded {
        var keys: [(key: APIKeyStore.Key, digest: [UInt8])] = []
        var modified: Int64 = -1
        var checkedAt: Int64 = .min
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: Int64
    }

    private let store: APIKeyStore
    private let logger: Logger
    private let loaded = Mutex(Loaded())
    private let buckets = Mutex<[String: Bucket]>([:])

    package init(store: APIKeyStore, logger: Logger) throws {
        self.store = store
        self.logger = logger
        try reload(force: true)
    }

    package var isEnabled: Bool { loaded.withLock { !$0.keys.isEmpty } }

    /// The gate for ``RouterBuilder/build(gate:onError:)``.
    package var gate: Router.Gate {
        { [self] request, route in check(request, route: route) }
    }

    func check(_ request: HTTPRequest, route: String) -> HTTPResponse? {
        let required = Scope.required(method: request.method.rawValue, route: route)
        if required.isEmpty { return nil }
        try? reload(force: false)
        let keys = loaded.withLock { $0.keys }
        if keys.isEmpty { return nil }
        guard let header = request.headers["Authorization"], header.hasPrefix("Bearer ") else {
            return Self.refuse(.unauthorized, "send an API key as 'Authorization: Bearer <key>'")
        }
        let digest = Crypto.sha256(Array(header.utf8.dropFirst("Bearer ".utf8.count)))
        var match: APIKeyStore.Key?
        for candidate in keys where Crypto.constantTimeEqual(candidate.digest, digest) { match = candidate.key }
        guard let key = match else { return Self.refuse(.unauthorized, "the API key is not valid") }
        guard key.scopes.contains(where: { required.contains($0) }) else {
            return ProblemDetails(
                .forbidden,
                detail: "key '\(key.name)' has scopes \(key.scopes.map(\.rawValue)); \(route) needs \(required)"
            ).makeResponse()
        }
        if key.ratePerSecond > 0, let wait = take(key) {
            return ProblemDetails(
                .tooManyRequests,
                detail: "key '\(key.name)' is limited to \(key.ratePerSecond) requests/s (burst \(key.burst))",
                headers: ["Retry-After": String(Int(wait.rounded(.up)))]
            ).makeResponse()
        }
        return nil
    }

    /// Takes a token from the key's bucket; nil when there was one, else the seconds to wait.
    private func take(_ key: APIKeyStore.Key) -> Double? {
        let now = Int64(MonotonicClock.nanoseconds())
        let capacity = max(1, key.burst)
        return buckets.withLock { buckets in
            var bucket = buckets[key.name] ?? Bucket(tokens: capacity, updatedAt: now)
            let elapsed = Double(now - bucket.updatedAt) / 1e9
            bucket.tokens = min(capacity, bucket.tokens + elapsed * key.ratePerSecond)
            bucket.updatedAt = now
            defer { buckets[key.name] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, (1 - bucket.tokens) / key.ratePerSecond)
        }
    }

    private static func refuse(_ status: HTTPStatus, _ detail: String) -> HTTPResponse {
        ProblemDetails(status, detail: detail, headers: ["WWW-Authenticate": "Bearer"]).makeResponse()
    }

    /// Re-reads the keys file when its modification time changed (at most once a second).
    private func reload(force: Bool) throws {
        let now = MonotonicClock.milliseconds()
        let due = loaded.withLock { state -> Bool in
            guard force || now - state.checkedAt >= 1000 else { return false }
            state.checkedAt = now
            return true
        }
        guard due else { return }
        var info = stat()
        let modified =
            stat(store.path, &info) == 0 ? Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec) : 0
        guard force || loaded.withLock({ $0.modified != modified }) else { return }
        let keys = try store.load().compactMap { key -> (key: APIKeyStore.Key, digest: [UInt8])? in
            guard let digest = Self.bytes(hex: key.sha256), digest.count == 32 else { return nil }
            return (key, digest)
        }
        loaded.withLock {
            $0.keys = keys
            $0.modified = modified
        }
        logger.notice(
            "API keys loaded",
            metadata: ["keys": "\(keys.count)", "names": "\(keys.map(\.key.name).joined(separator: ","))"]
        )
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
