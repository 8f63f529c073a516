import HTTPCore

/// `GET /health` and `POST /echo`, off by default: the routes every HTTP anchor server implements
/// (`../shared/anchors/http`), so its benchmark and protocol probe run against us unchanged and
/// compare our JSON decode-and-answer path with theirs on identical work.
package enum BenchmarkRoutes {
    struct EchoInput: Decodable {
        var ints: [Int]
        var name: String
    }

    struct EchoOutput: Encodable {
        var sum: Int
        var n: Int
    }

    private static let healthy = Array(#"{"status":"ok"}"#.utf8)

    package static func register(on router: inout ServiceRoutes) {
        router.get("/health", access: .open) { _, _ in HTTPResponse.json(healthy) }
        router.post("/echo", access: .open) { request, _ in
            let input = try JSONBody.decode(EchoInput.self, from: request)
            return JSONResponse(EchoOutput(sum: input.ints.reduce(0, &+), n: input.ints.count))
        }
    }
}
