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
///   and `remove` take effect on a running server within a second.
/// - It fails closed. Authentication is off only by `auth.mode=off`, or in `auto` mode while the
///   data directory has never had a key (the demo; the server says so at start). Once a key has
///   been seen, a marker file keeps keys required, so losing the keys file or its last key turns
///   every protected route into a 503 that says why, and a critical log line, never into an open door.
package final class AccessControl: Sendable {
    package enum Mode: String, Sendable {
        case auto, required, off
    }

    private struct Loaded {
        var keys: [(key: APIKeyStore.Key, digest: [UInt8])] = []
        var modified: Int64 = -1
        var checkedAt: Int64 = .min
        /// Keys are required (mode `required`, or `auto` after a key was seen).
        var required: Bool
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: Int64
    }

    private let store: APIKeyStore
    private let mode: Mode
    private let markerPath: String
    private let logger: Logger
    private let loaded: Mutex<Loaded>
    private let buckets = Mutex<[String: Bucket]>([:])

    /// - Parameters:
    ///   - store: the keys file.
    ///   - mode: `auth.mode`.
    ///   - markerPath: the file that records that this data directory has had a key.
    ///   - logger: for key changes and the fail-closed alarm.
    /// - Throws: when the keys file exists but cannot be read.
    package init(store: APIKeyStore, mode: Mode, markerPath: String, logger: Logger) throws {
        self.store = store
        self.mode = mode
        self.markerPath = markerPath
        self.logger = logger
        loaded = Mutex(Loaded(required: mode == .required || (mode == .auto && FileSystem.exists(markerPath))))
        try reload(force: true)
    }

    /// Whether protected routes need a key now.
    package var isEnabled: Bool { loaded.withLock { $0.required || !$0.keys.isEmpty } }

    /// The gate for ``RouterBuilder/build(gate:onError:)``.
    package var gate: Router.Gate {
        { [self] request, route, access in check(request, route: route, access: RouteAccess(word: access)) }
    }

    /// - Parameters:
    ///   - request: the request.
    ///   - route: its route template.
    ///   - access: what the route declared; nil (a route that declared nothing) is admin-only,
    ///     so an undeclared route is closed, not open.
    /// - Returns: nil to let it through, else the refusal.
    func check(_ request: HTTPRequest, route: String, access: RouteAccess?) -> HTTPResponse? {
        let required = (access ?? .admin).scopes
        if required.isEmpty { return nil }
        if mode == .off { return nil }
        reloadLogged()
        let (keys, keysRequired) = loaded.withLock { ($0.keys, $0.required) }
        if keys.isEmpty {
            guard keysRequired else { return nil }
            return ProblemDetails(
                .serviceUnavailable,
                detail: "authentication is required, but no API keys are loaded: \(store.path) is missing or holds "
                    + "no key. Add one with `cartwise keys add NAME --scopes ...`; to serve without authentication, "
                    + "set auth.mode=off"
            ).makeResponse()
        }
        // Counted, not collected: this runs on every authenticated request.
        let copies = request.headers.occurrences(of: "Authorization")
        guard copies <= 1 else {
            return ProblemDetails(.badRequest, detail: "header 'Authorization' appears \(copies) times; send one")
                .makeResponse()
        }
        guard let token = request.headers["Authorization"].flatMap(Self.bearerToken) else {
            return Self.refuse(.unauthorized, "send an API key as 'Authorization: Bearer <key>'")
        }
        let digest = Crypto.sha256(Array(token.utf8))
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

    /// The name of the key a request presents, for the audit of who changed what (nil: no key,
    /// or one that is not valid; the gate has refused those on protected routes already).
    package func keyName(of request: HTTPRequest) -> String? {
        guard let token = request.headers["Authorization"].flatMap(Self.bearerToken) else { return nil }
        let digest = Crypto.sha256(Array(token.utf8))
        let keys = loaded.withLock { $0.keys }
        var name: String?
        for candidate in keys where Crypto.constantTimeEqual(candidate.digest, digest) { name = candidate.key.name }
        return name
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

    /// The credentials of a `Bearer` header; the scheme is case-insensitive (RFC 9110 §11.1).
    static func bearerToken(_ header: String) -> Substring? {
        let scheme = header.prefix { $0 != " " }
        guard scheme.count == 6, String(scheme).equalsIgnoringASCIICase("bearer") else { return nil }
        let token = header.dropFirst(6).drop { $0 == " " }
        guard !token.isEmpty, !token.contains(" ") else { return nil }
        return token
    }

    private static func refuse(_ status: HTTPStatus, _ detail: String) -> HTTPResponse {
        ProblemDetails(status, detail: detail, headers: ["WWW-Authenticate": "Bearer"]).makeResponse()
    }

    /// A keys file that cannot be read on a running server keeps the keys it had, and says so.
    private func reloadLogged() {
        do {
            try reload(force: false)
        } catch {
            logger.error(
                "the API keys file cannot be read; the keys loaded before stay in force",
                metadata: ["path": "\(store.path)", "error": "\(error)"]
            )
        }
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
        let (required, wasLockedOut, firstKey) = loaded.withLock { state in
            let wasLockedOut = state.required && state.keys.isEmpty && state.modified != -1
            // In auto mode the first key makes keys required: the marker keeps that on disk.
            let firstKey = !keys.isEmpty && mode == .auto && !state.required
            state.keys = keys
            state.modified = modified
            if firstKey { state.required = true }
            return (state.required, wasLockedOut, firstKey)
        }
        if firstKey { Self.writeMarker(markerPath, logger: logger) }
        if keys.isEmpty && required {
            logger.critical(
                "AUTHENTICATION REQUIRED BUT NO API KEYS ARE LOADED: every protected route answers 503 until a key is added (`cartwise keys add`). Set auth.mode=off only to serve without authentication on purpose.",
                metadata: ["path": "\(store.path)"]
            )
        } else {
            logger.notice(
                wasLockedOut ? "API keys loaded; protected routes answer again" : "API keys loaded",
                metadata: ["keys": "\(keys.count)", "names": "\(keys.map(\.key.name).joined(separator: ","))"]
            )
        }
    }

    /// Records that this data directory has had a key (also written by `cartwise keys add`).
    package static func writeMarker(_ path: String, logger: Logger? = nil) {
        let text =
            "This data directory has had API keys, so auth.mode=auto requires them: without keys.json "
            + "(or with no key in it) protected routes answer 503. Set auth.mode=off to serve without authentication.\n"
        do {
            try FileSystem.writeNew(path, Array(text.utf8))
        } catch {
            logger?.error("cannot record that API keys are in use", metadata: ["path": "\(path)", "error": "\(error)"])
        }
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
