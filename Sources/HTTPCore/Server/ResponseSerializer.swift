/// How the request that a response answers shapes its bytes on the wire.
struct ResponseContext: Sendable {
    var method: HTTPMethod?
    var isHead: Bool
    var acceptsGzip: Bool
    var keepAlive: Bool
    var http10: Bool
    var startNanoseconds: UInt64
}

/// Writes responses into a connection's output buffer: status line, the handler's headers, then
/// the ones the server owns (`Content-Length`, `Date`, `Connection`, `Content-Encoding`, `Vary`).
struct ResponseSerializer {
    private var dates = DateCache()
    private let compressor: GzipCompressor?
    private let minimumGzipBytes: Int

    init(configuration: HTTPServerConfiguration) {
        compressor = configuration.gzipEnabled ? try? GzipCompressor(level: configuration.gzipLevel) : nil
        minimumGzipBytes = configuration.gzipMinimumBytes
    }

    private static let statusLines: [Int: [UInt8]] = {
        var lines: [Int: [UInt8]] = [:]
        for code in [
            100, 200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 408, 409, 411, 413, 414, 415, 417, 422,
            429, 431, 500, 501, 503, 505,
        ] {
            let status = HTTPStatus(code: code)
            lines[code] = Array("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        }
        return lines
    }()

    private static let crlf: [UInt8] = [13, 10]
    private static let colonSpace: [UInt8] = [58, 32]
    private static let contentLength = Array("Content-Length: ".utf8)
    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
    private static let chunkedHeader = Array("Transfer-Encoding: chunked\r\n".utf8)
    private static let gzipHeaders = Array("Content-Encoding: gzip\r\n".utf8)
    private static let varyHeader = Array("Vary: Accept-Encoding\r\n".utf8)
    /// Fields the serializer writes itself; a handler's own copies are dropped.
    private static let serverOwned = ["Content-Length", "Date", "Connection", "Transfer-Encoding"]

    /// Appends `response` to `output`.
    mutating func write(_ response: HTTPResponse, context: ResponseContext, into output: inout ByteBuffer) {
        var body = response.body
        var compressed = false
        let contentType = response.headers["Content-Type"]
        let streamed = response.stream != nil
        let eligible =
            !streamed && compressor != nil && response.status.allowsBody && body.count >= minimumGzipBytes
            && ContentCoding.isCompressible(contentType) && !response.headers.contains("Content-Encoding")
        if eligible, context.acceptsGzip, let compressor, let packed = try? compressor.compress(body),
            packed.count < body.count
        {
            body = packed
            compressed = true
        }

        output.append(
            Self.statusLines[response.status.code]
                ?? Array("HTTP/1.1 \(response.status.code) \(response.status.reasonPhrase)\r\n".utf8)
        )
        for field in response.headers where !Self.serverOwned.contains(where: field.name.equalsIgnoringASCIICase) {
            output.append(field.name)
            output.append(Self.colonSpace)
            output.append(field.value)
            output.append(Self.crlf)
        }
        if eligible { output.append(Self.varyHeader) }
        if compressed { output.append(Self.gzipHeaders) }
        if streamed && response.status.allowsBody {
            // HTTP/1.0 has no chunked coding: the end of the body is the end of the connection
            // (the event loop closes it after a streamed answer to 1.0).
            if !context.http10 { output.append(Self.chunkedHeader) }
        } else if response.status.allowsBody {
            output.append(Self.contentLength)
            output.append(String(body.count))
            output.append(Self.crlf)
        }
        output.append(dates.current())
        if !context.keepAlive {
            output.append(Self.connectionClose)
        } else if context.http10 {
            output.append(Self.connectionKeepAlive)
        }
        output.append(Self.crlf)
        if response.status.allowsBody && !context.isHead && !streamed {
            output.append(body)
        }
    }
}
