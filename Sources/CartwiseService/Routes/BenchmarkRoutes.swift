package import HTTPCore

/// `POST /echo`, off by default: the route every HTTP anchor server implements
/// (`../shared/anchors/http`), so a benchmark can compare our JSON decode-and-answer path with
/// theirs on identical work.
package enum BenchmarkRoutes {
    struct EchoInput: Decodable {
        var ints: [Int]
        var name: String
    }

    struct EchoOutput: Encodable {
        var sum: Int
        var n: Int
    }

    package static func register(on router: inout RouterBuilder) {
        router.post("/echo") { request, _ in
            let input = try JSONBody.decode(EchoInput.self, from: request)
            return JSONResponse(EchoOutput(sum: input.ints.reduce(0, &+), n: input.ints.count))
        }
    }
}
