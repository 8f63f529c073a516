import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// A server on an ephemeral port with the routes the live tests exercise.
enum TestServer {
    static let bigJSON: [UInt8] = Array(
        ("[" + (0..<200).map { "{\"item\":\"sku-\($0)\",\"score\":0.\($0)}" }.joined(separator: ",") + "]").utf8
    )

    static func start(_ configuration: HTTPServerConfiguration = .testing()) throws -> HTTPServer {
        var routes = RouterBuilder()
        routes.get("/healthz") { _, _ in HTTPResponse.json(Array(#"{"status":"ok"}"#.utf8)) }
        routes.get("/big") { _, _ in HTTPResponse.json(bigJSON) }
        // The big body under any media type, for the gzip eligibility rules.
        routes.get("/typed") { request, _ in
            HTTPResponse(status: .ok, headers: ["Content-Type": request.queryValue("type") ?? ""], body: bigJSON)
        }
        routes.post("/echo") { request, _ in
            HTTPResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: request.body)
        }
        routes.get("/users/{id}") { _, parameters in HTTPResponse.text(parameters["id"] ?? "") }
        // Holds the loop thread itself for `ms` milliseconds, as a slow handler would: what
        // other clients send meanwhile waits in their sockets.
        routes.get("/stall") { request, _ in
            let delay = try request.queryInt("ms", default: 100, range: 0...10_000)!
            usleep(UInt32(delay * 1000))
            return HTTPResponse.text("stalled \(delay)")
        }
        // Answers from another thread after `ms` milliseconds.
        routes.onDeferred(.get, "/slow") { request, _, promise in
            let delay = try request.queryInt("ms", default: 100, range: 0...10_000)!
            try NativeThread.detached(name: "slow") {
                usleep(UInt32(delay * 1000))
                promise.succeed(HTTPResponse.text("slow \(delay)"))
            }
        }
        return try HTTPServer.start(configuration: configuration, responder: routes.build())
    }
}

/// Runs `body` against a fresh server and stops the server afterwards.
func withServer(
    _ configuration: HTTPServerConfiguration = .testing(),
    _ body: (HTTPServer) throws -> Void
) throws {
    let server = try TestServer.start(configuration)
    defer {
        server.shutdown()
        server.wait()
    }
    try body(server)
}

extension HTTPServerConfiguration {
    /// Loopback, an ephemeral port, two loops, then `configure`'s changes.
    static func testing(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2)
        configure(&configuration)
        return configuration
    }
}
