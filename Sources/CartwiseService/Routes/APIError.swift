package import HTTPCore

/// Errors a route reports to its caller; each renders as RFC 9457 problem+json naming the field.
package enum APIError: Error, Equatable, HTTPResponseConvertible, CustomStringConvertible {
    /// A body or parameter field is missing or wrong; `field` is a JSON path like `events[3].user`.
    case invalidField(field: String, reason: String)
    /// A valid field that contradicts what is stored (a series' frequency, say): 409.
    case conflict(field: String, reason: String)
    /// The body is not the JSON the route takes.
    case malformedBody(reason: String)
    /// The body's media type is not one the route takes.
    case unsupportedMediaType(String)
    case notFound(String)
    case notReady(String)

    package var status: HTTPStatus {
        switch self {
        case .invalidField, .malformedBody: return .badRequest
        case .unsupportedMediaType: return .unsupportedMediaType
        case .conflict: return .conflict
        case .notFound: return .notFound
        case .notReady: return .serviceUnavailable
        }
    }

    package var description: String {
        switch self {
        case .invalidField(let field, let reason), .conflict(let field, let reason): return "field '\(field)' \(reason)"
        case .malformedBody(let reason): return "the body is not valid JSON: \(reason)"
        case .unsupportedMediaType(let type):
            return "Content-Type '\(type)' is not accepted here (use application/json)"
        case .notFound(let what): return what
        case .notReady(let what): return what
        }
    }

    package func makeResponse() -> HTTPResponse {
        ProblemDetails(status, detail: description).makeResponse()
    }
}
