/// A response status code with its reason phrase.
package struct HTTPStatus: Hashable, Sendable, CustomStringConvertible {
    package let code: Int
    package let reasonPhrase: String

    package init(code: Int, reasonPhrase: String) {
        self.code = code
        self.reasonPhrase = reasonPhrase
    }

    /// The standard status for `code`, or one with a generic phrase.
    package init(code: Int) {
        self = HTTPStatus.known[code] ?? HTTPStatus(code: code, reasonPhrase: "Status \(code)")
    }

    package static let `continue` = HTTPStatus(code: 100, reasonPhrase: "Continue")
    package static let ok = HTTPStatus(code: 200, reasonPhrase: "OK")
    package static let created = HTTPStatus(code: 201, reasonPhrase: "Created")
    package static let accepted = HTTPStatus(code: 202, reasonPhrase: "Accepted")
    package static let noContent = HTTPStatus(code: 204, reasonPhrase: "No Content")
    package static let notModified = HTTPStatus(code: 304, reasonPhrase: "Not Modified")
    package static let badRequest = HTTPStatus(code: 400, reasonPhrase: "Bad Request")
    package static let unauthorized = HTTPStatus(code: 401, reasonPhrase: "Unauthorized")
    package static let forbidden = HTTPStatus(code: 403, reasonPhrase: "Forbidden")
    package static let notFound = HTTPStatus(code: 404, reasonPhrase: "Not Found")
    package static let methodNotAllowed = HTTPStatus(code: 405, reasonPhrase: "Method Not Allowed")
    package static let requestTimeout = HTTPStatus(code: 408, reasonPhrase: "Request Timeout")
    package static let conflict = HTTPStatus(code: 409, reasonPhrase: "Conflict")
    package static let lengthRequired = HTTPStatus(code: 411, reasonPhrase: "Length Required")
    package static let contentTooLarge = HTTPStatus(code: 413, reasonPhrase: "Content Too Large")
    package static let uriTooLong = HTTPStatus(code: 414, reasonPhrase: "URI Too Long")
    package static let unsupportedMediaType = HTTPStatus(code: 415, reasonPhrase: "Unsupported Media Type")
    package static let expectationFailed = HTTPStatus(code: 417, reasonPhrase: "Expectation Failed")
    package static let unprocessableContent = HTTPStatus(code: 422, reasonPhrase: "Unprocessable Content")
    package static let tooManyRequests = HTTPStatus(code: 429, reasonPhrase: "Too Many Requests")
    package static let headerFieldsTooLarge = HTTPStatus(code: 431, reasonPhrase: "Request Header Fields Too Large")
    package static let internalServerError = HTTPStatus(code: 500, reasonPhrase: "Internal Server Error")
    package static let notImplemented = HTTPStatus(code: 501, reasonPhrase: "Not Implemented")
    package static let serviceUnavailable = HTTPStatus(code: 503, reasonPhrase: "Service Unavailable")
    package static let httpVersionNotSupported = HTTPStatus(code: 505, reasonPhrase: "HTTP Version Not Supported")

    private static let known: [Int: HTTPStatus] = Dictionary(
        uniqueKeysWithValues: [
            HTTPStatus.continue, .ok, .created, .accepted, .noContent, .notModified, .badRequest, .unauthorized,
            .forbidden, .notFound, .methodNotAllowed, .requestTimeout, .conflict, .lengthRequired,
            .contentTooLarge, .uriTooLong, .unsupportedMediaType, .expectationFailed, .unprocessableContent,
            .tooManyRequests, .headerFieldsTooLarge, .internalServerError, .notImplemented, .serviceUnavailable,
            .httpVersionNotSupported,
        ].map { ($0.code, $0) }
    )

    /// Whether a response with this status may carry a body (RFC 9110 §6.4.1).
    package var allowsBody: Bool { code >= 200 && code != 204 && code != 304 }

    package var description: String { "\(code) \(reasonPhrase)" }
}
