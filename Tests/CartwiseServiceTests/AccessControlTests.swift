import CartwiseService
import HTTPCore
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct AccessControlTests {
    private func start(_ directory: String) throws -> Application {
        let configuration = try ConfigurationLoader(
            flags: [
                ("server.port", "0"), ("server.threads", "1"), ("data_dir", directory),
                ("trainer.min_new_events", "1000000"),
            ]
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

    @Test func everyRouteHasAScopeAndNewOnesNeedAdmin() {
        #expect(Scope.required(method: "GET", route: "/healthz").isEmpty)
        #expect(Scope.required(method: "POST", route: "/score-order") == [.risk, .admin])
        #expect(Scope.required(method: "GET", route: "/models") == [.ops, .admin])
        #expect(Scope.required(method: "POST", route: "/models") == [.admin])
        #expect(Scope.required(method: "GET", route: "/some-future-route") == [.admin])
        #expect(Scope.required(method: "GET", route: "/models/risk").description == "admin or ops or risk")
        #expect(Scopes(.ops).contains(.ops) && !Scopes(.ops).contains(.risk))
        #expect(Crypto.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
