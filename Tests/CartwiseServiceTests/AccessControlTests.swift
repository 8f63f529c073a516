import CartwiseService
import HTTPCore
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct AccessControlTests {
    private func start(_ directory: String, _ flags: [(key: String, value: String)] = []) throws -> Application {
        let configuration = try ConfigurationLoader(
            flags: [
                ("server.port", "0"), ("server.threads", "1"), ("data_dir", directory),
                ("trainer.min_new_events", "1000000"),
            ] + flags
        ).load()
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return try Application.start(configuration: configuration, logger: logger)
    }

    /// 401 without or with an unknown key, 403 outside the key's scopes, 429 with Retry-After
    /// once the bucket is empty; health checks stay open, and a key added to the file while the
    /// server runs works within a second.
    @Test func keysScopesAndRateLimits() throws {
        let directory = temporaryDirectory()
        try FileSystem.makeDirectory(directory)
        let store = APIKeyStore(path: directory + "/keys.json")
        let shop = try store.add(name: "shop", scopes: [.storefront], ratePerSecond: 0.5, burst: 2, now: "t")
        let risk = try store.add(name: "risk-team", scopes: [.risk, .ops], ratePerSecond: 0, burst: 1, now: "t")
        #expect(shop.hasPrefix("cw_") && shop.count == 51)
        #expect(try !FileSystem.readAll(directory + "/keys.json").contains(Array(shop.utf8)))
        let application = try start(directory)
        defer { application.shutdown() }
        let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
        func get(_ path: String, _ key: String?) throws -> BlockingHTTPClient.Response {
            try client.request("GET", path, headers: key.map { [("Authorization", "Bearer " + $0)] } ?? [])
        }
        #expect(try get("/healthz", nil).status == 200)
        #expect(try get("/readyz", nil).status == 200)
        let anonymous = try get("/models/risk", nil)
        #expect(anonymous.status == 401 && anonymous.headers["WWW-Authenticate"] == "Bearer")
        #expect(anonymous.headers["Content-Type"] == "application/problem+json")
        #expect(try get("/models/risk", "cw_wrong").status == 401)
        #expect(try get("/models/risk", risk).status == 200)
        #expect(try get("/metrics", risk).status == 200)
        let forbidden = try get("/models/risk", shop)
        #expect(forbidden.status == 403 && forbidden.text.contains("risk"), "\(forbidden.text)")
        #expect(try get("/recommend?user=nobody", risk).status == 403)
        #expect(
            try client.request("POST", "/models/train", headers: [("Authorization", "Bearer " + risk)]).status == 403
        )
        // Burst 2 at 0.5/s: two pass, the third waits about 2 s.
        #expect(try get("/items/none", shop).status == 404)
        #expect(try get("/items/none", shop).status == 404)
        let limited = try get("/items/none", shop)
        #expect(limited.status == 429, "\(limited.text)")
        #expect(limited.headers["Retry-After"].flatMap { Int($0) }.map { (1...3).contains($0) } == true)
        // Another key has its own bucket.
        #expect(try get("/models/risk", risk).status == 200)

        let admin = try store.add(name: "ops-admin", scopes: [.admin], ratePerSecond: 0, burst: 1, now: "t")
        var status = 0
        for _ in 0..<30 where status != 200 {
            usleep(100_000)
            status = try get("/models/risk", admin).status
        }
        #expect(status == 200)
    }

    /// Removing the last key, or the keys file, on a running server: every protected route
    /// answers 503 within a second (never 200), health checks stay open, and a restart stays
    /// closed; a new key opens it again. Only `auth.mode=off` serves without keys.
    @Test func losingTheKeysFailsClosed() throws {
        let directory = temporaryDirectory()
        try FileSystem.makeDirectory(directory)
        let store = APIKeyStore(path: directory + "/keys.json")
        var key = ""
        let protected = [
            ("POST", "/models/rollback"), ("GET", "/metrics"), ("GET", "/models"), ("POST", "/events"),
            ("GET", "/recommend?user=u"), ("POST", "/score-order"), ("GET", "/forecast?item=x"),
        ]
        func statuses(_ client: BlockingHTTPClient, _ key: String?) throws -> [Int] {
            try protected.map { method, path in
                try client.request(method, path, headers: key.map { [("Authorization", "Bearer " + $0)] } ?? []).status
            }
        }
        for removal in ["last key", "keys file"] {
            key = try store.add(name: "ops", scopes: [.admin], ratePerSecond: 0, burst: 1, now: "t")
            let application = try start(directory)
            defer { application.shutdown() }
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
            let lower = try client.request("GET", "/metrics", headers: [("Authorization", "bearer " + key)])
            #expect(lower.status == 200, "\(lower.status) \(lower.text)")
            #expect(try client.request("GET", "/metrics", headers: [("Authorization", "BEARER  " + key)]).status == 200)
            let twice = try client.request(
                "GET",
                "/metrics",
                headers: [("Authorization", "Bearer " + key), ("Authorization", "Bearer " + key)]
            )
            #expect(twice.status == 400 && twice.text.contains("Authorization"))
            if removal == "last key" {
                try store.remove(name: "ops")
            } else {
                try FileSystem.remove(directory + "/keys.json")
            }
            let removed = MonotonicClock.nanoseconds()
            var closed = false
            // The file is re-read at most once a second: until then the removed key still works.
            while !closed && MonotonicClock.nanoseconds() - removed < 3_000_000_000 {
                closed = try (statuses(client, nil) + statuses(client, key)).allSatisfy { $0 == 503 }
                if !closed { usleep(20_000) }
            }
            let seconds = Double(MonotonicClock.nanoseconds() - removed) / 1e9
            #expect(closed && seconds < 1.2, "\(removal): closed \(closed) after \(seconds) s")
            for _ in 0..<3 {
                let seen = try statuses(client, nil) + statuses(client, key)
                #expect(seen.allSatisfy { $0 == 503 }, "\(removal): \(seen)")
            }
            let problem = try client.request("GET", "/metrics")
            #expect(problem.text.contains("no API keys are loaded") && problem.text.contains("auth.mode=off"))
            #expect(try client.request("GET", "/healthz").status == 200)
        }
        // After a restart with no keys file the directory remembers that keys were in use.
        do {
            let application = try start(directory)
            defer { application.shutdown() }
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
            #expect(try statuses(client, nil).allSatisfy { $0 == 503 })
            let fresh = try store.add(name: "again", scopes: [.admin], ratePerSecond: 0, burst: 1, now: "t")
            var status = 0
            for _ in 0..<30 where status != 200 {
                usleep(100_000)
                status = try client.request("GET", "/metrics", headers: [("Authorization", "Bearer " + fresh)]).status
            }
            #expect(status == 200)
            #expect(try client.request("GET", "/metrics").status == 401)
        }
        try FileSystem.remove(directory + "/keys.json")
        let open = try start(directory, [("auth.mode", "off")])
        defer { open.shutdown() }
        let client = try BlockingHTTPClient(port: open.server.port, timeout: 30)
        #expect(try client.request("GET", "/metrics").status == 200)
    }

    @Test func aFreshDirectoryIsOpenUntilItHasAKeyAndRequiredModeIsNot() throws {
        let directory = temporaryDirectory()
        let open = try start(directory)
        let openClient = try BlockingHTTPClient(port: open.server.port, timeout: 30)
        #expect(try openClient.request("GET", "/metrics").status == 200)
        open.shutdown()
        let required = try start(temporaryDirectory(), [("auth.mode", "required")])
        defer { required.shutdown() }
        let client = try BlockingHTTPClient(port: required.server.port, timeout: 30)
        #expect(try client.request("GET", "/metrics").status == 503)
    }

    /// Every route the service registers declares who may call it, next to its handler; a route
    /// added to the router without one would be admin-only, and this test names it.
    @Test func everyRegisteredRouteDeclaresItsAccess() throws {
        try withApplication([("server.benchmark_routes", "true")]) { app in
            let undeclared = app.routes.filter { RouteAccess(word: $0.access) == nil }
            #expect(
                undeclared.isEmpty,
                "routes without a declared access: \(undeclared.map { "\($0.method) \($0.template)" })"
            )
            func access(_ method: HTTPMethod, _ template: String) -> RouteAccess? {
                app.routes.first { $0.method == method && $0.template == template }.flatMap {
                    RouteAccess(word: $0.access)
                }
            }
            #expect(access(.get, "/healthz") == .open)
            #expect(access(.post, "/score-order") == .risk)
            #expect(access(.get, "/models") == .ops)
            #expect(access(.post, "/models/train") == .admin)
            #expect(access(.get, "/models/risk")?.description == "admin or ops or risk")
            #expect(app.routes.count >= 27)
        }
        #expect(RouteAccess(word: 0) == nil)
        #expect(Scopes(.ops).contains(.ops) && !Scopes(.ops).contains(.risk))
        #expect(Crypto.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
