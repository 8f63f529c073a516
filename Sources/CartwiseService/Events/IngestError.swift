package import HTTPCore

/// One invalid field of one entry in a batch.
package struct FieldError: Sendable, Equatable {
    /// The entry's position in the batch (0-based), or nil for the batch itself.
    package var index: Int?
    /// The field's name within the entry (`type`, `context.page`, ...).
    package var field: String
    package var reason: String

    package init(index: Int?, field: String, reason: String) {
        self.index = index
        self.field = field
        self.reason = reason
    }
}

/// Why a batch for `POST /events` or `POST /items` was rejected. Nothing of it is stored.
package enum IngestError: Error, Equatable, HTTPResponseConvertible, CustomStringConvertible {
    /// The body is not valid JSON (or one NDJSON line is not).
    case syntax(JSONReader.SyntaxError, line: Int?)
    /// Some entries are invalid: the first 100 problems, and how many there were in all.
    case invalid(kind: String, errors: [FieldError], total: Int, batchSize: Int)
    case tooManyEntries(kind: String, count: Int, limit: Int)
    case empty(kind: String)
    case unsupportedMediaType(String)

    /// How many problems are listed at most.
    package static let maxListed = 100

    package var description: String {
        switch self {
        case .syntax(let error, let line?): return "line \(line + 1): \(error.description)"
        case .syntax(let error, nil): return error.description
        case .invalid(let kind, let errors, let total, let batchSize):
            let first = errors.first.map { error in
                (error.index.map { "\(kind)[\($0)]." } ?? "") + error.field + " " + error.reason
            }
            return "\(total) problem\(total == 1 ? "" : "s") in \(batchSize) \(kind); nothing was stored. First: "
                + (first ?? "")
        case .tooManyEntries(let kind, let count, let limit):
            return "\(count) \(kind) in one batch; at most \(limit) are accepted (split the batch)"
        case .empty(let kind): return "the batch has no \(kind)"
        case .unsupportedMediaType(let type):
            return "Content-Type '\(type)' is not accepted; use application/json or application/x-ndjson"
        }
    }

    package func makeResponse() -> HTTPResponse {
        switch self {
        case .unsupportedMediaType:
            return ProblemDetails(.unsupportedMediaType, detail: description).makeResponse()
        case .tooManyEntries:
            return ProblemDetails(.contentTooLarge, detail: description).makeResponse()
        case .invalid(_, let errors, let total, _):
            let list = errors.map { error in
                "{\"index\":" + (error.index.map(String.init) ?? "null") + ",\"field\":" + JSONString.quote(error.field)
                    + ",\"reason\":" + JSONString.quote(error.reason) + "}"
            }
            return ProblemDetails(
                .badRequest,
                detail: description,
                type: "https://cartwise.dev/problems/invalid-batch",
                title: "Invalid batch",
                extensions: [("errors", "[" + list.joined(separator: ",") + "]"), ("invalid_count", String(total))]
            ).makeResponse()
        default:
            return ProblemDetails(.badRequest, detail: description).makeResponse()
        }
    }
}
