package import HTTPCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A handler result that encodes a DTO as JSON.
package struct JSONResponse<Body: Encodable>: HTTPResponseConvertible {
    package var body: Body
    package var status: HTTPStatus

    package init(_ body: Body, status: HTTPStatus = .ok) {
        self.body = body
        self.status = status
    }

    package func makeResponse() -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(body) else {
            return ProblemDetails(.internalServerError, detail: "the response could not be encoded").makeResponse()
        }
        return HTTPResponse.json(Array(data), status: status)
    }
}

/// Decodes a JSON request body, turning decoder errors into problem details that name the field.
package enum JSONBody {
    /// Refuses a body whose `Content-Type` is not JSON (none at all is taken as JSON).
    ///
    /// Checked over the header's bytes: `lowercased()` and `String.contains` cost more than
    /// ranking ten items on the `/rank` path.
    package static func requireJSON(_ request: HTTPRequest) throws(APIError) {
        guard let contentType = request.headers["Content-Type"] else { return }
        if ASCIICaseless.contains(contentType, "json") { return }
        throw .unsupportedMediaType(contentType.lowercased())
    }

    /// - Throws: ``APIError`` with the failing field's path.
    package static func decode<T: Decodable>(_ type: T.Type, from request: HTTPRequest) throws(APIError) -> T {
        try requireJSON(request)
        do {
            return try JSONDecoder().decode(type, from: Data(request.body))
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalidField(field: path(context.codingPath + [key]), reason: "is required")
        } catch let DecodingError.typeMismatch(expected, context) {
            throw .invalidField(field: path(context.codingPath), reason: "must be \(describe(expected))")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw .invalidField(field: path(context.codingPath), reason: "must be \(describe(expected)), not null")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw .invalidField(field: path(context.codingPath), reason: "is invalid: \(context.debugDescription)")
        } catch {
            throw .malformedBody(reason: "\(error)".prefix(200).description)
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "(body)" : text
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }
}
