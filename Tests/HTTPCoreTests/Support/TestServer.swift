import HTTPCore
import Synchronization

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
        // `pieces` pieces of 10 KiB, each a repeat of one letter, produced as the client reads.
        routes.get("/stream") { request, _ in
            let pieces = try request.queryInt("pieces", default: 3, range: 0...100_000)!
            var response = HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain"])
            response.stream = LetterStream(pieces: pieces)
            return response
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

/// A streamed body of `pieces` pieces of 10 KiB: a, b, c, ... in turn.
final class LetterStream: HTTPBodyStream {
    private let produced = Mutex(0)
    let pieces: Int

    init(pieces: Int) { self.pieces = pieces }

    /// The body the stream produces, for comparison.
    static func expected(_ pieces: Int) -> [UInt8] {
        (0..<pieces).flatMap { [UInt8](repeating: UInt8(97 + $0 % 26), count: 10_240) }
    }

    func next() -> [UInt8]? {
        produced.withLock { count in
            guard count < pieces else { return nil }
            defer { count += 1 }
            return [UInt8](repeating: UInt8(97 + count % 26), count: 10_240)
        }
    }
}
