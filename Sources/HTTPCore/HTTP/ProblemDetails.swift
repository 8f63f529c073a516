/// An RFC 9457 `application/problem+json` body: `type`, `title`, `status`, `detail`, plus
/// optional extension members.
package struct ProblemDetails: Error, Sendable, HTTPResponseConvertible, CustomStringConvertible {
    package var status: HTTPStatus
    /// A sentence for the caller that names the offending field or limit.
    package var detail: String
    /// A URI naming the problem kind; `about:blank` means "see the status".
    package var type: String
    package var title: String
    /// Extra members as `(name, raw JSON value)`, e.g. `("errors", "[...]")`.
    package var extensions: [(name: String, json: String)]
    /// Headers to send with the problem (`Allow`, `Retry-After`, ...).
    package var headers: HTTPHeaders

    package init(
        _ status: HTTPStatus,
        detail: String,
        type: String = "about:blank",
        title: String? = nil,
        extensions: [(name: String, json: String)] = [],
        headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.status = status
        self.detail = detail
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.extensions = extensions
        self.headers = headers
    }

    package var description: String { "\(status.code) \(title): \(detail)" }

    /// The JSON body.
    package var jsonBody: [UInt8] {
        var out = "{\"type\":" + JSONString.quote(type)
        out += ",\"title\":" + JSONString.quote(title)
        out += ",\"status\":\(status.code)"
        out += ",\"detail\":" + JSONString.quote(detail)
        for member in extensions {
            out += "," + JSONString.quote(member.name) + ":" + member.json
        }
        out += "}"
        return Array(out.utf8)
    }

    package func makeResponse() -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: headers, body: jsonBody)
        response.headers.set("Content-Type", "application/problem+json")
        return response
    }
}

/// JSON string quoting for the few bodies HTTPCore writes itself (no Foundation here).
package enum JSONString {
    /// `text` as a JSON string literal, with quotes, backslashes and control characters escaped.
    package static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }

    /// Appends `text` as a JSON string literal to `bytes`: the allocation-free form of
    /// ``quote(_:)`` for bodies built byte by byte on hot paths. UTF-8 bytes at or above 0x80
    /// never need escaping, so only ASCII is inspected.
    package static func append(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Nearly every name and id needs no escape: copy such text in one go instead of a byte
        // at a time (the risk answer and audit entry hold dozens of them).
        var text = text
        let copied = text.withUTF8 { utf8 in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case UInt8(ascii: "\n"):
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"):
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"):
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
