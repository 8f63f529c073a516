import HTTPCore
import Testing

/// Feeds `input` to a fresh parser, all at once or in slices of `step` bytes.
private func parse(
    _ input: [UInt8],
    limits: HTTPParserLimits = HTTPParserLimits(),
    step: Int? = nil
) throws(HTTPParseError)
    -> [HTTPRequest]
{
    var parser = HTTPParser(limits: limits)
    var buffer = ByteBuffer()
    var requests: [HTTPRequest] = []
    var offset = 0
    let slice = step ?? input.count
    repeat {
        let end = min(input.count, offset + max(1, slice))
        buffer.append(Array(input[offset..<end]))
        offset = end
        loop: while true {
            switch try parser.parse(&buffer) {
            case .needMore: break loop
            case .continueExpected: continue
            case .request(let request): requests.append(request)
            }
        }
    } while offset < input.count
    return requests
}

private func parse(
    _ text: String,
    limits: HTTPParserLimits = HTTPParserLimits(),
    step: Int? = nil
) throws(HTTPParseError)
    -> [HTTPRequest]
{
    try parse(Array(text.utf8), limits: limits, step: step)
}

@Suite struct HTTPParserTests {
    @Test(arguments: [nil, 1, 3, 7])
    func parsesGetWithPercentDecodedPathAndQuery(step: Int?) throws {
        let requests = try parse(
            "GET /users/a%20b/events?limit=5&q=red+shoes&x=%C3%A9 HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n",
            step: step
        )
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.method == .get)
        #expect(request.path == "/users/a b/events")
        #expect(request.rawPath == "/users/a%20b/events")
        #expect(request.queryValue("limit") == "5")
        #expect(request.queryValue("q") == "red shoes")
        #expect(request.queryValue("x") == "é")
        #expect(request.headers["user-agent"] == "t")
        #expect(request.keepAlive)
    }

    @Test(arguments: [nil, 1, 5])
    func parsesContentLengthAndChunkedBodiesPipelined(step: Int?) throws {
        let input =
            "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;ext=1\r\nwiki\r\n5 ; a ; b=\"q \\\" ;\"\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: t\r\n\r\n"
            + "GET /c HTTP/1.1\r\nHost: x\r\n\r\n"
        let requests = try parse(input, step: step)
        #expect(requests.map(\.path) == ["/a", "/b", "/c"])
        #expect(String(decoding: requests[0].body, as: UTF8.self) == "hello")
        #expect(String(decoding: requests[1].body, as: UTF8.self) == "wikipedia in\r\n\r\nchunks.")
        #expect(requests[2].body.isEmpty)
    }

    @Test func http10ClosesUnlessKeepAlive() throws {
        #expect(try parse("GET / HTTP/1.0\r\n\r\n")[0].keepAlive == false)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")[0].keepAlive == true)
        #expect(try parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0].keepAlive == false)
    }

    @Test func absoluteFormAndAsteriskTargets() throws {
        let absolute = try parse("GET http://example.com:8080/x/y?z=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")[0]
        #expect(absolute.path == "/x/y")
        #expect(absolute.queryValue("z") == "1")
        #expect(try parse("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")[0].path == "*")
    }

    @Test func expectContinueIsSignalledBeforeTheBody() throws {
        var parser = HTTPParser()
        var buffer = ByteBuffer(
            Array("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8)
        )
        guard case .continueExpected = try parser.parse(&buffer) else {
            Issue.record("expected continueExpected")
            return
        }
        guard case .needMore = try parser.parse(&buffer) else {
            Issue.record("expected needMore")
            return
        }
        buffer.append(Array("ok".utf8))
        guard case .request(let request) = try parser.parse(&buffer) else {
            Issue.record("expected a request")
            return
        }
        #expect(request.body == Array("ok".utf8))
    }

    @Test func leadingBlankLinesAreIgnored() throws {
        #expect(try parse("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").count == 1)
    }

    /// Each malformed or ambiguous request, and the error (hence status) it must produce.
    static let invalid: [(String, String, HTTPParseError)] = [
        (
            "CL and TE",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            .contentLengthWithTransferEncoding
        ),
        (
            "TE then CL", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            .contentLengthWithTransferEncoding
        ),
        (
            "empty TE next to CL (a smuggling shape)",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding:\r\n\r\nabcGET /healthz HTTP/1.1\r\n\r\n",
            .contentLengthWithTransferEncoding
        ),
        (
            "blank TE next to CL",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:   \r\nContent-Length: 3\r\n\r\nabc",
            .contentLengthWithTransferEncoding
        ),
        (
            "repeated TE next to CL",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            .contentLengthWithTransferEncoding
        ),
        (
            "unknown TE next to CL",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\nContent-Length: 3\r\n\r\n",
            .contentLengthWithTransferEncoding
        ),
        ("empty TE alone", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\r\n", .invalidTransferEncoding("")),
        (
            "chunk extension without a name",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;\r\nabc\r\n0\r\n\r\n", .invalidChunkSize
        ),
        (
            "chunk extension with only a value",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;=x\r\nabc\r\n0\r\n\r\n",
            .invalidChunkSize
        ),
        (
            "chunk extension with an empty value",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\r\nabc\r\n0\r\n\r\n",
            .invalidChunkSize
        ),
        (
            "chunk extension with an open quote",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"x\r\nabc\r\n0\r\n\r\n",
            .invalidChunkSize
        ),
        (
            "repeated CL", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
            .repeatedContentLength
        ),
        ("CL list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc", .invalidContentLength("3, 3")),
        ("CL signed", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", .invalidContentLength("+3")),
        ("CL hex", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x3\r\n\r\nabc", .invalidContentLength("0x3")),
        ("CL empty", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n", .invalidContentLength("")),
        (
            "CL overflow", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
            .invalidContentLength("99999999999999999999")
        ),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  continued\r\n\r\n", .obsoleteLineFolding(line: 4)),
        ("bare CR in header", "GET / HTTP/1.1\r\nHost: x\rX: 1\r\n\r\n", .bareCarriageReturn),
        ("bare CR in request line", "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", .bareCarriageReturn),
        ("bare LF", "GET / HTTP/1.1\nHost: x\r\n\r\n", .bareLineFeed),
        ("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", .malformedHeaderField(line: 2)),
        ("no colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", .malformedHeaderField(line: 2)),
        ("NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\u{0}b\r\n\r\n", .invalidHeaderValue(name: "X")),
        ("bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .invalidChunkSize),
        ("negative chunk", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", .invalidChunkSize),
        (
            "huge chunk", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
            .invalidChunkSize
        ),
        (
            "chunk without CRLF", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n",
            .malformedChunk
        ),
        (
            "TE gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            .unsupportedTransferEncoding("gzip, chunked")
        ),
        (
            "TE not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
            .invalidTransferEncoding("chunked, identity")
        ),
        ("TE in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .invalidTransferEncoding("chunked")),
        ("missing Host", "GET / HTTP/1.1\r\n\r\n", .missingHost),
        ("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .repeatedHost),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", .unsupportedVersion("HTTP/2.0")),
        ("garbage version", "GET / HTTX/1.1\r\nHost: x\r\n\r\n", .malformedRequestLine),
        ("two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", .malformedRequestLine),
        ("bad method", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod),
        ("relative target", "GET foo HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget("foo")),
        ("bad escape", "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", .invalidPercentEncoding(field: "path")),
        ("non-UTF-8 escape", "GET /a%ff HTTP/1.1\r\nHost: x\r\n\r\n", .invalidPercentEncoding(field: "path")),
        (
            "bad query escape", "GET /a?k=%4 HTTP/1.1\r\nHost: x\r\n\r\n",
            .invalidPercentEncoding(field: "query parameter 'k'")
        ),
        (
            "expect other", "POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\n1",
            .unsupportedExpectation("200-ok")
        ),
    ]

    @Test(arguments: invalid)
    func rejectsAmbiguousAndMalformedRequests(name: String, input: String, expected: HTTPParseError) {
        for step in [nil, 1] {
            #expect(throws: expected, "\(name), step \(String(describing: step))") {
                try parse(input, step: step)
            }
        }
    }

    @Test func statusForEachErrorClass() {
        #expect(HTTPParseError.contentLengthWithTransferEncoding.status.code == 400)
        #expect(HTTPParseError.requestLineTooLong(limit: 1).status.code == 414)
        #expect(HTTPParseError.headerSectionTooLarge(limit: 1).status.code == 431)
        #expect(HTTPParseError.tooManyHeaderFields(limit: 1).status.code == 431)
        #expect(HTTPParseError.bodyTooLarge(limit: 1).status.code == 413)
        #expect(HTTPParseError.unsupportedTransferEncoding("gzip").status.code == 501)
        #expect(HTTPParseError.unsupportedVersion("HTTP/2.0").status.code == 505)
        #expect(HTTPParseError.unsupportedExpectation("x").status.code == 417)
    }

    // MARK: - Limits

    @Test(arguments: [nil, 1000])
    func requestLineLimit(step: Int?) throws {
        let limits = HTTPParserLimits(requestLineBytes: 100)
        let fits = "GET /" + String(repeating: "a", count: 100 - 14) + " HTTP/1.1"
        #expect(fits.utf8.count == 100)
        #expect(try parse(fits + "\r\nHost: x\r\n\r\n", limits: limits, step: step).count == 1)
        let long = "GET /" + String(repeating: "a", count: 87) + " HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(throws: HTTPParseError.requestLineTooLong(limit: 100)) {
            try parse(long, limits: limits, step: step)
        }
        // Detected before the line ends: an endless line is refused once it passes the limit.
        #expect(throws: HTTPParseError.requestLineTooLong(limit: 100)) {
            try parse("GET /" + String(repeating: "a", count: 200), limits: limits, step: step)
        }
    }

    @Test func headerSectionAndFieldCountLimits() throws {
        let limits = HTTPParserLimits(headerBytes: 1024, headerFields: 10)
        let big = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 1100) + "\r\n\r\n"
        #expect(throws: HTTPParseError.headerSectionTooLarge(limit: 1024)) { try parse(big, limits: limits) }
        #expect(throws: HTTPParseError.headerSectionTooLarge(limit: 1024)) {
            try parse("GET / HTTP/1.1\r\nX: " + String(repeating: "b", count: 2000), limits: limits, step: 100)
        }
        var many = "GET / HTTP/1.1\r\nHost: x\r\n"
        for index in 0..<10 { many += "X-\(index): 1\r\n" }
        #expect(throws: HTTPParseError.tooManyHeaderFields(limit: 10)) { try parse(many + "\r\n", limits: limits) }
        var exactly = "GET / HTTP/1.1\r\nHost: x\r\n"
        for index in 0..<9 { exactly += "X-\(index): 1\r\n" }
        #expect(try parse(exactly + "\r\n", limits: limits).count == 1)
    }

    @Test func bodyLimitForFixedAndChunkedBodies() throws {
        let limits = HTTPParserLimits(bodyBytes: 10)
        #expect(
            try parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits).count == 1
        )
        // Refused from the head alone: the body is never read.
        #expect(throws: HTTPParseError.bodyTooLarge(limit: 10)) {
            try parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", limits: limits)
        }
        let chunked =
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n"
        #expect(throws: HTTPParseError.bodyTooLarge(limit: 10)) { try parse(chunked, limits: limits) }
    }

    @Test func trailersCountAgainstTheHeaderLimit() {
        let limits = HTTPParserLimits(headerBytes: 1024)
        let input =
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: "
            + String(repeating: "t", count: 1100)
            + "\r\n\r\n"
        #expect(throws: HTTPParseError.headerSectionTooLarge(limit: 1024)) { try parse(input, limits: limits) }
    }

    @Test func everyPrefixOfAValidRequestAsksForMore() throws {
        let input = Array(
            "POST /p?q=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n".utf8
        )
        for length in 0..<input.count {
            var parser = HTTPParser()
            var buffer = ByteBuffer(Array(input[0..<length]))
            guard case .needMore = try parser.parse(&buffer) else {
                Issue.record("prefix of \(length) bytes produced a request")
                return
            }
        }
    }
}
