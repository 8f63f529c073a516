/// Decodes a `Transfer-Encoding: chunked` body (RFC 9112 §7.1) as its bytes arrive.
///
/// Chunk sizes are hex without sign or whitespace, at most 16 digits; extensions after `;` are
/// skipped; trailer fields are read, counted against the header limit, and dropped.
package struct ChunkedDecoder: Sendable {
    private enum Phase: Sendable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailer(bytes: Int)
    }

    private var phase: Phase = .size
    package private(set) var body: [UInt8] = []

    package init() {}

    /// The longest chunk-size line (size plus extensions) accepted.
    static let maxSizeLine = 4096

    /// Consumes what it can from `buffer`.
    /// - Returns: true when the last chunk and the trailer section are complete.
    package mutating func decode(_ buffer: inout ByteBuffer, limits: HTTPParserLimits) throws(HTTPParseError) -> Bool {
        while true {
            switch phase {
            case .size:
                guard let line = try takeLine(&buffer, limit: Self.maxSizeLine, tooLong: .invalidChunkSize) else {
                    return false
                }
                let size = try Self.parseSize(line)
                if size == 0 {
                    phase = .trailer(bytes: 0)
                } else {
                    guard size <= limits.bodyBytes - body.count else { throw .bodyTooLarge(limit: limits.bodyBytes) }
                    body.reserveCapacity(body.count + size)
                    phase = .data(remaining: size)
                }
            case .data(let remaining):
                let take = min(remaining, buffer.readableBytes)
                guard take > 0 else { return false }
                body.append(contentsOf: buffer.copy(0..<take))
                buffer.consume(take)
                phase = remaining == take ? .dataEnd : .data(remaining: remaining - take)
            case .dataEnd:
                guard buffer.readableBytes >= 2 else { return false }
                let crlf = buffer.copy(0..<2)
                guard crlf == [UInt8(ascii: "\r"), UInt8(ascii: "\n")] else { throw .malformedChunk }
                buffer.consume(2)
                phase = .size
            case .trailer(let bytes):
                let left = limits.headerBytes - bytes
                guard
                    let line = try takeLine(
                        &buffer,
                        limit: left,
                        tooLong: .headerSectionTooLarge(limit: limits.headerBytes)
                    )
                else { return false }
                if line.isEmpty { return true }
                phase = .trailer(bytes: bytes + line.count + 2)
            }
        }
    }

    /// Takes one CRLF-terminated line (without the CRLF), or nil if it has not fully arrived.
    private func takeLine(
        _ buffer: inout ByteBuffer,
        limit: Int,
        tooLong: HTTPParseError
    ) throws(HTTPParseError)
        -> [UInt8]?
    {
        let end = try buffer.withUnreadBytes { (bytes) throws(HTTPParseError) -> Int? in
            for index in 0..<bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\n") {
                    guard index > 0, bytes[index - 1] == UInt8(ascii: "\r") else { throw .bareLineFeed }
                    return index
                }
                if byte == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "\n") {
                    throw .bareCarriageReturn
                }
                if index >= limit + 1 { throw tooLong }
            }
            if bytes.count > limit + 1 { throw tooLong }
            return nil
        }
        guard let end else { return nil }
        let line = buffer.copy(0..<(end - 1))
        buffer.consume(end + 1)
        return line
    }

    private static func parseSize(_ line: [UInt8]) throws(HTTPParseError) -> Int {
        var size = 0
        var digits = 0
        var index = 0
        while index < line.count, let value = PercentDecoding.hexValue(line[index]) {
            digits += 1
            guard digits <= 15 else { throw .invalidChunkSize }
            size = size << 4 | Int(value)
            index += 1
        }
        guard digits > 0 else { throw .invalidChunkSize }
        try validateExtensions(line[index...])
        return size
    }

    /// `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )` (RFC 9112 §7.1.1): the
    /// extensions are skipped, but only well-formed ones, so a lone `;` or a nameless `;=x` is a 400.
    private static func validateExtensions(_ rest: ArraySlice<UInt8>) throws(HTTPParseError) {
        var index = rest.startIndex
        func skipWhitespace() {
            while index < rest.endIndex && (rest[index] == 0x20 || rest[index] == 0x09) { index += 1 }
        }
        func token() -> Bool {
            let start = index
            while index < rest.endIndex && HTTPToken.isTokenByte(rest[index]) { index += 1 }
            return index > start
        }
        while true {
            skipWhitespace()
            guard index < rest.endIndex else { return }
            guard rest[index] == UInt8(ascii: ";") else { throw .invalidChunkSize }
            index += 1
            skipWhitespace()
            guard token() else { throw .invalidChunkSize }
            skipWhitespace()
            guard index < rest.endIndex, rest[index] == UInt8(ascii: "=") else { continue }
            index += 1
            skipWhitespace()
            if index < rest.endIndex && rest[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < rest.endIndex {
                    let byte = rest[index]
                    index += 1
                    if byte == UInt8(ascii: "\"") {
                        closed = true
                        break
                    }
                    if byte == UInt8(ascii: "\\") {
                        guard index < rest.endIndex else { throw .invalidChunkSize }
                        index += 1
                    } else if byte < 0x20 && byte != 0x09 || byte == 0x7F {
                        throw .invalidChunkSize
                    }
                }
                guard closed else { throw .invalidChunkSize }
            } else {
                guard token() else { throw .invalidChunkSize }
            }
        }
    }
}
