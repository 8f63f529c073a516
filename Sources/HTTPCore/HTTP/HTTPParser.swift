/// An incremental HTTP/1.1 request parser (RFC 9112), strict where leniency enables smuggling.
///
/// Feed it a connection's input buffer after every read; it consumes whole requests and keeps its
/// place in a partial one, so a head that arrives one byte at a time is scanned once, not once per
/// byte. Head bytes stay in the buffer until the head is complete (line ranges point into it);
/// body bytes are consumed as they arrive for chunked bodies.
package struct HTTPParser: Sendable {
    /// What one call to ``parse(_:)`` produced.
    package enum Event: Sendable {
        /// The buffer holds no complete request yet.
        case needMore
        /// A head with `Expect: 100-continue` arrived and its body has not: send `100 Continue`.
        case continueExpected
        /// A complete request; its bytes are consumed.
        case request(HTTPRequest)
    }

    private enum State: Sendable {
        case head(HeadScan)
        case fixedBody(HTTPRequest, length: Int, continueAnswered: Bool)
        case chunkedBody(HTTPRequest, ChunkedDecoder, continueAnswered: Bool)
    }

    private struct HeadScan: Sendable {
        var scanned = 0
        var lineStart = 0
        var lines: [Range<Int>] = []
        var headerBytes = 0
    }

    package let limits: HTTPParserLimits
    private var state: State = .head(HeadScan())

    package init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// True between requests: nothing of a next request has been seen yet.
    package var isAtRequestBoundary: Bool {
        if case .head(let scan) = state { return scan.scanned == 0 }
        return false
    }

    /// True once a head is complete and its body is still arriving.
    package var isReadingBody: Bool {
        if case .head = state { return false }
        return true
    }

    /// Parses as much of `buffer` as forms the next request.
    /// - Returns: ``Event/needMore`` until a request is complete.
    /// - Throws: ``HTTPParseError``; the connection must answer it and close.
    package mutating func parse(_ buffer: inout ByteBuffer) throws(HTTPParseError) -> Event {
        switch state {
        case .head(var scan):
            guard
                let headLength = try buffer.withUnreadBytes({ (bytes) throws(HTTPParseError) in
                    try self.scanHead(bytes, &scan)
                })
            else {
                state = .head(scan)
                return .needMore
            }
            let (request, framing) = try buffer.withUnreadBytes { (bytes) throws(HTTPParseError) in
                try self.parseHead(bytes, lines: scan.lines)
            }
            buffer.consume(headLength)
            switch framing {
            case .none:
                state = .head(HeadScan())
                return .request(request)
            case .fixed(let length):
                state = .fixedBody(request, length: length, continueAnswered: false)
            case .chunked:
                state = .chunkedBody(request, ChunkedDecoder(), continueAnswered: false)
            }
            return try parse(&buffer)

        case .fixedBody(var request, let length, let continueAnswered):
            guard buffer.readableBytes >= length else {
                if !continueAnswered, request.expectsContinue {
                    state = .fixedBody(request, length: length, continueAnswered: true)
                    return .continueExpected
                }
                return .needMore
            }
            request.body = buffer.copy(0..<length)
            buffer.consume(length)
            state = .head(HeadScan())
            return .request(request)

        case .chunkedBody(var request, var decoder, let continueAnswered):
            let before = buffer.readableBytes
            let done = try decoder.decode(&buffer, limits: limits)
            if done {
                request.body = decoder.body
                state = .head(HeadScan())
                return .request(request)
            }
            if !continueAnswered, before == 0, request.expectsContinue {
                state = .chunkedBody(request, decoder, continueAnswered: true)
                return .continueExpected
            }
            state = .chunkedBody(request, decoder, continueAnswered: continueAnswered)
            return .needMore
        }
    }

    // MARK: - Head scanning

    /// Finds the end of the head, checking CRLF discipline and the size limits on the way.
    /// - Returns: the head's length including the blank line, or nil if it is not complete.
    private func scanHead(_ bytes: UnsafeBufferPointer<UInt8>, _ scan: inout HeadScan) throws(HTTPParseError) -> Int? {
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        var index = scan.scanned
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == lf {
                guard index > scan.lineStart, bytes[index - 1] == cr else { throw .bareLineFeed }
                let line = scan.lineStart..<(index - 1)
                scan.lineStart = index + 1
                if line.isEmpty {
                    if scan.lines.isEmpty {
                        // RFC 9112 §2.2: ignore blank lines before the request line, but not forever.
                        guard scan.lineStart <= 64 else { throw .malformedRequestLine }
                        index += 1
                        continue
                    }
                    scan.scanned = index + 1
                    return index + 1
                }
                if scan.lines.isEmpty {
                    guard line.count <= limits.requestLineBytes else {
                        throw .requestLineTooLong(limit: limits.requestLineBytes)
                    }
                } else {
                    scan.headerBytes += line.count + 2
                    guard scan.headerBytes <= limits.headerBytes else {
                        throw .headerSectionTooLarge(limit: limits.headerBytes)
                    }
                    guard scan.lines.count <= limits.headerFields else {
                        throw .tooManyHeaderFields(limit: limits.headerFields)
                    }
                }
                scan.lines.append(line)
            } else if byte == cr {
                guard index + 1 < count else { break }
                guard bytes[index + 1] == lf else { throw .bareCarriageReturn }
            }
            index += 1
        }
        scan.scanned = index
        let partial = index - scan.lineStart
        if scan.lines.isEmpty {
            if partial > limits.requestLineBytes + 1 { throw .requestLineTooLong(limit: limits.requestLineBytes) }
        } else if scan.headerBytes + partial > limits.headerBytes {
            throw .headerSectionTooLarge(limit: limits.headerBytes)
        }
        return nil
    }

    // MARK: - Head parsing

    private enum Framing {
        case none
        case fixed(Int)
        case chunked
    }

    private func parseHead(
        _ bytes: UnsafeBufferPointer<UInt8>,
        lines: [Range<Int>]
    ) throws(HTTPParseError)
        -> (HTTPRequest, Framing)
    {
        let (method, target, version) = try parseRequestLine(UnsafeBufferPointer(rebasing: bytes[lines[0]]))
        var headers = HTTPHeaders()
        var contentLength: String?
        var transferEncodings: [String] = []
        var transferEncodingFields = 0
        var hostCount = 0
        var connectionTokens: [String] = []
        var expectation: String?
        for (number, range) in lines.dropFirst().enumerated() {
            let (name, value) = try parseField(UnsafeBufferPointer(rebasing: bytes[range]), line: number + 2)
            if name.equalsIgnoringASCIICase("content-length") {
                guard contentLength == nil else { throw .repeatedContentLength }
                contentLength = value
            } else if name.equalsIgnoringASCIICase("transfer-encoding") {
                transferEncodingFields += 1
                transferEncodings.append(contentsOf: value.headerTokens)
            } else if name.equalsIgnoringASCIICase("host") {
                hostCount += 1
            } else if name.equalsIgnoringASCIICase("connection") {
                connectionTokens.append(contentsOf: value.headerTokens)
            } else if name.equalsIgnoringASCIICase("expect") {
                expectation = value
            }
            headers.add(name, value)
        }
        if version.minor == 1 {
            guard hostCount > 0 else { throw .missingHost }
        }
        guard hostCount <= 1 else { throw .repeatedHost }
        let keepAlive =
            version.minor == 1 ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")
        var request = try HTTPRequest(
            method: method,
            target: target,
            headers: headers,
            version: version,
            keepAlive: keepAlive
        )
        if let expectation {
            guard expectation.equalsIgnoringASCIICase("100-continue") else {
                throw .unsupportedExpectation(expectation)
            }
            request.expectsContinue = version.minor == 1
        }

        // The field's presence in any form, even empty, conflicts with Content-Length: a proxy
        // that frames by one and a server that frames by the other is how requests are smuggled.
        if transferEncodingFields > 0 {
            let joined = transferEncodings.joined(separator: ", ")
            guard contentLength == nil else { throw .contentLengthWithTransferEncoding }
            guard !transferEncodings.isEmpty else { throw .invalidTransferEncoding(joined) }
            guard version.minor == 1, transferEncodings.last == "chunked" else {
                throw .invalidTransferEncoding(joined)
            }
            guard transferEncodings.count == 1 else { throw .unsupportedTransferEncoding(joined) }
            return (request, .chunked)
        }
        if let contentLength {
            guard !contentLength.isEmpty, contentLength.utf8.count <= 19,
                contentLength.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let length = Int(contentLength)
            else { throw .invalidContentLength(contentLength) }
            guard length <= limits.bodyBytes else { throw .bodyTooLarge(limit: limits.bodyBytes) }
            return (request, length == 0 ? .none : .fixed(length))
        }
        return (request, .none)
    }

    private func parseRequestLine(
        _ line: UnsafeBufferPointer<UInt8>
    ) throws(HTTPParseError)
        -> (HTTPMethod, String, (major: Int, minor: Int))
    {
        let space = UInt8(ascii: " ")
        guard let firstSpace = line.firstIndex(of: space) else { throw .malformedRequestLine }
        guard let secondSpace = line[(firstSpace + 1)...].firstIndex(of: space),
            !line[(secondSpace + 1)...].contains(space)
        else { throw .malformedRequestLine }
        let methodBytes = line[0..<firstSpace]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(HTTPToken.isTokenByte) else { throw .invalidMethod }
        let targetBytes = line[(firstSpace + 1)..<secondSpace]
        let target = String(decoding: targetBytes, as: UTF8.self)
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidTarget(target)
        }
        let versionBytes = Array(line[(secondSpace + 1)...])
        let versionText = String(decoding: versionBytes, as: UTF8.self)
        guard versionBytes.count == 8, versionText.hasPrefix("HTTP/"), versionBytes[6] == UInt8(ascii: "."),
            let major = PercentDecoding.decimalDigit(versionBytes[5]),
            let minor = PercentDecoding.decimalDigit(versionBytes[7])
        else { throw .malformedRequestLine }
        guard major == 1, minor <= 1 else { throw .unsupportedVersion(versionText) }
        return (HTTPMethod(rawValue: String(decoding: methodBytes, as: UTF8.self)), target, (major, minor))
    }

    private func parseField(
        _ line: UnsafeBufferPointer<UInt8>,
        line number: Int
    ) throws(HTTPParseError) -> (String, String) {
        guard let first = line.first else { throw .malformedHeaderField(line: number) }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { throw .obsoleteLineFolding(line: number) }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            line[0..<colon].allSatisfy(HTTPToken.isTokenByte)
        else { throw .malformedHeaderField(line: number) }
        let name = String(decoding: line[0..<colon], as: UTF8.self)
        var start = colon + 1
        var end = line.count
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        let value = line[start..<end]
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw .invalidHeaderValue(name: name)
        }
        return (name, String(decoding: value, as: UTF8.self))
    }
}

/// RFC 9110 §5.6.2 token characters.
package enum HTTPToken {
    package static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}

extension PercentDecoding {
    static func decimalDigit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }
}
