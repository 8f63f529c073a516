import HTTPCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct HTTPServerLiveTests {
    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port)
            for index in 0..<50 {
                let response = try client.request("GET", "/users/u\(index)")
                #expect(response.status == 200)
                #expect(response.text == "u\(index)")
            }
            let response = try client.request("GET", "/healthz")
            #expect(response.headers["Content-Type"] == "application/json")
            #expect(response.headers["Content-Length"] == "15")
            let date = try #require(response.headers["Date"])
            #expect(date.hasSuffix(" GMT") && date.count == 29)
        }
    }

    /// A streamed body goes out chunked as the client reads it: 5 MiB through a client that
    /// reads slowly at first, then the request pipelined behind it is answered; over HTTP/1.0
    /// (no chunked coding) the body ends with the connection.
    @Test func aStreamedBodyArrivesWholeAndInOrder() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port, timeout: 30)
            try client.send(
                "GET /stream?pieces=512 HTTP/1.1\r\nHost: x\r\n\r\nGET /users/after HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            usleep(200_000)
            let streamed = try client.readResponse()
            #expect(streamed.status == 200 && streamed.headers["Transfer-Encoding"] == "chunked")
            #expect(streamed.headers["Content-Length"] == nil)
            let whole = streamed.body == LetterStream.expected(512)
            #expect(whole, "\(streamed.body.count) bytes")
            #expect(try client.readResponse().text == "after")
            // An empty stream is a valid empty body.
            #expect(try client.request("GET", "/stream?pieces=0").body.isEmpty)
            // HEAD gets the head alone.
            try client.send("HEAD /stream?pieces=4 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse(bodyExpected: false).status == 200)
            #expect(try client.request("GET", "/users/still").text == "still")

            let old = try BlockingHTTPClient(port: server.port, timeout: 30)
            try old.send("GET /stream?pieces=3 HTTP/1.0\r\nHost: x\r\n\r\n")
            let raw = try old.readResponse()
            #expect(raw.headers["Transfer-Encoding"] == nil && raw.headers["Connection"] == "close")
            #expect(raw.body == LetterStream.expected(3))
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderEvenAroundASlowOne() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port)
            var burst = ""
            burst += "GET /users/first HTTP/1.1\r\nHost: x\r\n\r\n"
            burst += "GET /slow?ms=150 HTTP/1.1\r\nHost: x\r\n\r\n"
            burst += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody"
            burst += "GET /users/last HTTP/1.1\r\nHost: x\r\n\r\n"
            try client.send(burst)
            #expect(try client.readResponse().text == "first")
            #expect(try client.readResponse().text == "slow 150")
            #expect(try client.readResponse().text == "body")
            #expect(try client.readResponse().text == "last")
        }
    }

    /// A deferred answer that does not come in time gets a 503 and the connection closes; the
    /// late answer is dropped, and the loop keeps serving.
    @Test func aDeferredAnswerPastItsDeadlineIsA503() throws {
        let configuration = HTTPServerConfiguration.testing {
            $0.responseTimeout = 0.3
            $0.threads = 1
        }
        try withServer(configuration) { server in
            let client = try BlockingHTTPClient(port: server.port)
            let started = MonotonicClock.milliseconds()
            let late = try client.request("GET", "/slow?ms=1200")
            let waited = MonotonicClock.milliseconds() - started
            #expect(late.status == 503)
            #expect(late.headers["Retry-After"] == "1")
            #expect(late.headers["Connection"] == "close")
            #expect(late.text.contains("no answer within 0.3 s"), "\(late.text)")
            #expect(waited >= 300 && waited < 1000, "answered after \(waited) ms")
            // An answer in time is unaffected, and the late one, when it comes, reaches no one.
            let other = try BlockingHTTPClient(port: server.port)
            #expect(try other.request("GET", "/slow?ms=50").text == "slow 50")
            usleep(1_100_000)
            for index in 0..<3 { #expect(try other.request("GET", "/users/u\(index)").text == "u\(index)") }
        }
    }

    /// Read interest stays on while a deferred answer is pending: a request that arrives in
    /// that time is kept and answered after it, in order.
    @Test func aRequestSentWhileAnAnswerIsPendingIsAnsweredAfterIt() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port)
            for round in 0..<3 {
                try client.send("GET /slow?ms=120 HTTP/1.1\r\nHost: x\r\n\r\n")
                usleep(40_000)
                try client.send("GET /users/after\(round) HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.readResponse().text == "slow 120")
                #expect(try client.readResponse().text == "after\(round)")
            }
            #expect(try client.request("GET", "/users/end").text == "end")
        }
    }

    /// A burst larger than one read, with a body limit smaller than the read: the loop stops
    /// reading at the limit with bytes left in the socket, and must come back for them even
    /// though no new bytes (no new edge-triggered event) arrive. The loop is held busy while
    /// the burst is sent, so the whole burst is waiting in the socket when it reads.
    @Test func aPipelinedBurstBeyondOneReadIsAnsweredWhole() throws {
        let configuration = HTTPServerConfiguration.testing {
            $0.limits.bodyBytes = 2000
            $0.threads = 1
        }
        try withServer(configuration) { server in
            let staller = try BlockingHTTPClient(port: server.port)
            let client = try BlockingHTTPClient(port: server.port)
            try staller.send("GET /stall?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n")
            usleep(50_000)
            let body = String(repeating: "b", count: 1000)
            var burst = ""
            for index in 0..<80 {
                burst += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1004\r\n\r\n"
                burst += String(1000 + index) + body
            }
            try client.send(burst)
            #expect(try staller.readResponse().text == "stalled 300")
            for index in 0..<80 {
                let text = try client.readResponse().text
                #expect(text.prefix(4) == String(1000 + index))
            }
        }
    }

    @Test func chunkedRequestBodyArrivesWhole() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            try client.send("5\r\nhello\r\n")
            usleep(20_000)
            try client.send("6\r\n world\r\n0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello world")
        }
    }

    @Test func gzipRoundTripWhenAcceptedAndIdentityOtherwise() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port)
            let zipped = try client.request("GET", "/big", headers: [("Accept-Encoding", "br, gzip;q=0.8")])
            #expect(zipped.headers["Content-Encoding"] == "gzip")
            #expect(zipped.headers["Vary"] == "Accept-Encoding")
            #expect(zipped.body.count < TestServer.bigJSON.count / 3)
            #expect(try Gzip.decompress(zipped.body, limit: 1 << 20) == TestServer.bigJSON)

            let plain = try client.request("GET", "/big")
            #expect(plain.headers["Content-Encoding"] == nil)
            #expect(plain.headers["Vary"] == "Accept-Encoding")
            #expect(plain.body == TestServer.bigJSON)

            let refused = try client.request("GET", "/big", headers: [("Accept-Encoding", "gzip;q=0")])
            #expect(refused.headers["Content-Encoding"] == nil)

            let small = try client.request("GET", "/healthz", headers: [("Accept-Encoding", "gzip")])
            #expect(small.headers["Content-Encoding"] == nil)

            let types = [
                ("Application/Problem+JSON", true), ("text/csv; charset=utf-8", true), ("image/svg+XML", true),
                ("application/x-yaml", true), ("TEXT/plain", true), ("application/javascript", true),
                ("application/octet-stream", false), ("image/png", false), ("", false), ("application/jso", false),
            ]
            for (type, compressible) in types {
                let escaped = type.map { $0 == " " ? "%20" : $0 == "+" ? "%2B" : String($0) }.joined()
                let target = "/typed?type=" + escaped
                let answer = try client.request("GET", target, headers: [("Accept-Encoding", "gzip")])
                #expect((answer.headers["Content-Encoding"] == "gzip") == compressible, "\(type)")
            }
        }
    }

    @Test func gzipRequestBodiesAreDecoded() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port)
            let body = Array(String(repeating: "event,", count: 100).utf8)
            let response = try client.request(
                "POST",
                "/echo",
                headers: [("Content-Encoding", "gzip")],
                body: try Gzip.compress(body)
            )
            #expect(response.body == body)
            let bad = try client.request("POST", "/echo", headers: [("Content-Encoding", "br")], body: [1, 2])
            #expect(bad.status == 415)
        }
    }

    @Test func headHasTheGetHeadersButNoBody() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port)
            let head = try client.request("HEAD", "/big")
            #expect(head.status == 200)
            #expect(head.headers["Content-Length"] == String(TestServer.bigJSON.count))
            #expect(head.body.isEmpty)
            // Had a body been sent, this would read it as the next response.
            #expect(try client.request("GET", "/healthz").status == 200)
        }
    }

    @Test func unknownPathsAndMethodsGetProblemDetails() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port)
            let missing = try client.request("GET", "/missing")
            #expect(missing.status == 404)
            #expect(missing.headers["Content-Type"] == "application/problem+json")
            #expect(missing.text.contains("\"status\":404"))
            let wrong = try client.request("PUT", "/healthz")
            #expect(wrong.status == 405)
            #expect(wrong.headers["Allow"] == "GET, HEAD, OPTIONS")
        }
    }

    /// Each limit answers with its own status, then closes the connection.
    @Test func limitsAnswerWithTheirStatusAndClose() throws {
        let cases: [(String, Int)] = [
            ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            ("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 17_000) + "\r\n\r\n", 431),
            ("GET / HTTP/1.1\r\nHost: x\r\n" + (0..<101).map { "X-\($0): 1\r\n" }.joined() + "\r\n", 431),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\n\r\n", 413),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),
            ("GET / HTTP/1.1\rHost: x\r\n\r\n", 400),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400),
        ]
        try withServer { server in
            for (request, status) in cases {
                let client = try BlockingHTTPClient(port: server.port)
                try client.send(request)
                let response = try client.readResponse()
                #expect(response.status == status, "\(request.prefix(60))")
                #expect(response.headers["Content-Type"] == "application/problem+json")
                #expect(response.headers["Connection"] == "close")
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func oversizedBodyIsRefusedWhileTheClientIsStillSending() throws {
        try withServer(.testing { $0.limits.bodyBytes = 1000 }) { server in
            let client = try BlockingHTTPClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
            try client.send([UInt8](repeating: 0x41, count: 200_000))
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.text.contains("1000 bytes"))
        }
    }

    @Test func expectContinueGetsAnInterimAnswer() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
            #expect(try client.readResponse(keepInterim: true).status == 100)
            try client.send("abc")
            #expect(try client.readResponse().text == "abc")
        }
    }

    @Test func slowlorisIsCutOffAndDoesNotDelayOthers() throws {
        let configuration = HTTPServerConfiguration.testing {
            $0.headerReadTimeout = 0.5
            $0.threads = 1
        }
        try withServer(configuration) { server in
            let slow = try BlockingHTTPClient(port: server.port, timeout: 3)
            try slow.send("GET /healthz HTTP/1.1\r\nHo")
            let start = MonotonicClock.milliseconds()
            for _ in 0..<10 {
                try slow.send("s")
                let other = try BlockingHTTPClient(port: server.port)
                #expect(try other.request("GET", "/healthz").status == 200)
                usleep(50_000)
            }
            #expect(MonotonicClock.milliseconds() - start < 1500)
            // Trickling bytes does not extend the deadline.
            let answer = try slow.readResponse()
            #expect(answer.status == 408)
            #expect(slow.isClosedByPeer())
            #expect(MonotonicClock.milliseconds() - start < 2000)
        }
    }

    @Test func idleKeepAliveConnectionsAreClosed() throws {
        try withServer(.testing { $0.idleTimeout = 0.3 }) { server in
            let client = try BlockingHTTPClient(port: server.port, timeout: 3)
            #expect(try client.request("GET", "/healthz").status == 200)
            let start = MonotonicClock.milliseconds()
            #expect(client.isClosedByPeer())
            let waited = MonotonicClock.milliseconds() - start
            #expect(waited >= 200 && waited < 1500)
        }
    }

    @Test func connectionsBeyondTheMaximumAreClosed() throws {
        let configuration = HTTPServerConfiguration.testing {
            $0.maxConnections = 2
            $0.threads = 1
        }
        try withServer(configuration) { server in
            let first = try BlockingHTTPClient(port: server.port)
            let second = try BlockingHTTPClient(port: server.port)
            #expect(try first.request("GET", "/healthz").status == 200)
            #expect(try second.request("GET", "/healthz").status == 200)
            let third = try BlockingHTTPClient(port: server.port)
            #expect(third.isClosedByPeer())
            // Slots are released when connections close.
            first.shutdownWrite()
            #expect(first.isClosedByPeer())
            usleep(100_000)
            let fourth = try BlockingHTTPClient(port: server.port)
            #expect(try fourth.request("GET", "/healthz").status == 200)
        }
    }

    @Test func halfClosedClientStillGetsItsAnswer() throws {
        try withServer { server in
            let client = try BlockingHTTPClient(port: server.port)
            try client.send("GET /slow?ms=50 HTTP/1.1\r\nHost: x\r\n\r\n")
            client.shutdownWrite()
            #expect(try client.readResponse().text == "slow 50")
            #expect(client.isClosedByPeer())
        }
    }

    @Test func gracefulShutdownFinishesInFlightRequests() throws {
        let server = try TestServer.start()
        let busy = try BlockingHTTPClient(port: server.port)
        let idle = try BlockingHTTPClient(port: server.port)
        #expect(try idle.request("GET", "/healthz").status == 200)
        try busy.send("GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(50_000)
        let start = MonotonicClock.milliseconds()
        server.shutdown()
        // The idle connection is closed at once; the busy one gets its answer, marked close.
        #expect(idle.isClosedByPeer())
        let answer = try busy.readResponse()
        #expect(answer.text == "slow 300")
        #expect(answer.headers["Connection"] == "close")
        server.wait()
        #expect(MonotonicClock.milliseconds() - start < 2000)
        #expect(throws: BlockingHTTPClient.ClientError.self) { try BlockingHTTPClient(port: server.port) }
    }

    @Test func drainTimeoutBoundsShutdown() throws {
        let server = try TestServer.start(.testing { $0.drainTimeout = 0.2 })
        let busy = try BlockingHTTPClient(port: server.port, timeout: 3)
        try busy.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(50_000)
        let start = MonotonicClock.milliseconds()
        server.shutdown()
        server.wait()
        #expect(MonotonicClock.milliseconds() - start < 1000)
        #expect(busy.isClosedByPeer())
    }

    @Test func servesIPv6() throws {
        let server: HTTPServer
        do {
            server = try TestServer.start(.testing { $0.host = "::1" })
        } catch {
            // No IPv6 loopback in this sandbox: nothing to test.
            return
        }
        defer {
            server.shutdown()
            server.wait()
        }
        #expect(server.address.family == AF_INET6)
        let client = try BlockingHTTPClient(host: "::1", port: server.port)
        #expect(try client.request("GET", "/healthz").status == 200)
    }

    @Test func manyConcurrentClientsAcrossLoops() throws {
        try withServer { server in
            let clients = try (0..<32).map { _ in try BlockingHTTPClient(port: server.port) }
            for round in 0..<5 {
                for client in clients { try client.send("GET /users/r\(round) HTTP/1.1\r\nHost: x\r\n\r\n") }
                for client in clients { #expect(try client.readResponse().text == "r\(round)") }
            }
        }
    }
}
