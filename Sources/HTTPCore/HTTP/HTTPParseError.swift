/// Why a request could not be parsed. Each case maps to the status RFC 9110/9112 asks for;
/// every one of them closes the connection, because the framing of what follows is unknown.
package enum HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible, HTTPResponseConvertible {
    case requestLineTooLong(limit: Int)
    case headerSectionTooLarge(limit: Int)
    case tooManyHeaderFields(limit: Int)
    case bodyTooLarge(limit: Int)
    case malformedRequestLine
    case invalidMethod
    case invalidTarget(String)
    case unsupportedVersion(String)
    case malformedHeaderField(line: Int)
    case obsoleteLineFolding(line: Int)
    case bareCarriageReturn
    case bareLineFeed
    case invalidHeaderValue(name: String)
    case contentLengthWithTransferEncoding
    case repeatedContentLength
    case invalidContentLength(String)
    case unsupportedTransferEncoding(String)
    case invalidTransferEncoding(String)
    case invalidChunkSize
    case malformedChunk
    case missingHost
    case repeatedHost
    case invalidPercentEncoding(field: String)
    case unsupportedExpectation(String)
    case unsupportedContentEncoding(String)
    case invalidCompressedBody

    package var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: return .uriTooLong
        case .headerSectionTooLarge, .tooManyHeaderFields: return .headerFieldsTooLarge
        case .bodyTooLarge: return .contentTooLarge
        case .unsupportedVersion: return .httpVersionNotSupported
        case .unsupportedTransferEncoding: return .notImplemented
        case .unsupportedExpectation: return .expectationFailed
        case .unsupportedContentEncoding: return .unsupportedMediaType
        default: return .badRequest
        }
    }

    package var description: String {
        switch self {
        case .requestLineTooLong(let limit): return "request line longer than \(limit) bytes"
        case .headerSectionTooLarge(let limit): return "header section larger than \(limit) bytes"
        case .tooManyHeaderFields(let limit): return "more than \(limit) header fields"
        case .bodyTooLarge(let limit): return "body larger than \(limit) bytes"
        case .malformedRequestLine: return "malformed request line (want 'METHOD /target HTTP/1.1')"
        case .invalidMethod: return "method is not a valid token"
        case .invalidTarget(let target): return "invalid request target '\(target.prefix(200))'"
        case .unsupportedVersion(let version): return "HTTP version '\(version.prefix(20))' is not supported"
        case .malformedHeaderField(let line): return "malformed header field on line \(line)"
        case .obsoleteLineFolding(let line): return "obsolete line folding on line \(line) is not accepted"
        case .bareCarriageReturn: return "bare CR in the request head"
        case .bareLineFeed: return "bare LF in the request head (lines must end with CRLF)"
        case .invalidHeaderValue(let name): return "header '\(name.prefix(100))' has an invalid character"
        case .contentLengthWithTransferEncoding: return "both Content-Length and Transfer-Encoding are present"
        case .repeatedContentLength: return "Content-Length is repeated"
        case .invalidContentLength(let value): return "Content-Length '\(value.prefix(40))' is not a number"
        case .unsupportedTransferEncoding(let value):
            return "Transfer-Encoding '\(value.prefix(80))' is not supported (only 'chunked')"
        case .invalidTransferEncoding(let value):
            return "Transfer-Encoding '\(value.prefix(80))' must end with 'chunked'"
        case .invalidChunkSize: return "invalid chunk-size line (size or extension) in the chunked body"
        case .malformedChunk: return "malformed chunk in the chunked body (data must end with CRLF)"
        case .missingHost: return "Host header is required in HTTP/1.1"
        case .repeatedHost: return "Host header is repeated"
        case .invalidPercentEncoding(let field): return "invalid percent-encoding in \(field)"
        case .unsupportedExpectation(let value): return "Expect '\(value.prefix(60))' is not supported"
        case .unsupportedContentEncoding(let value):
            return "Content-Encoding '\(value.prefix(60))' is not supported (identity or gzip)"
        case .invalidCompressedBody: return "the gzip request body is corrupt"
        }
    }

    package func makeResponse() -> HTTPResponse {
        ProblemDetails(status, detail: description).makeResponse()
    }
}
