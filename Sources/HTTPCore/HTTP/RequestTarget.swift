/// Splits and percent-decodes a request target (RFC 9112 §3.2).
enum RequestTarget {
    struct Parts {
        var rawPath: String
        var path: String
        var query: [(name: String, value: String)]
    }

    /// Accepts origin-form (`/a?b`), absolute-form (`http://host/a?b`, the authority is dropped)
    /// and asterisk-form (`*`).
    static func split(_ target: String) throws(HTTPParseError) -> Parts {
        var rest = Substring(target)
        if rest == "*" {
            return Parts(rawPath: "*", path: "*", query: [])
        }
        if !rest.hasPrefix("/") {
            let lower = rest.prefix(8).lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw .invalidTarget(target)
            }
            rest = rest.drop { $0 != ":" }.dropFirst(3)
            rest = rest.drop { $0 != "/" && $0 != "?" }
            if rest.isEmpty || rest.first == "?" { rest = "/" + rest }
        }
        let queryStart = rest.firstIndex(of: "?")
        let rawPath = queryStart.map { rest[..<$0] } ?? rest
        guard let path = PercentDecoding.decode(rawPath, plusAsSpace: false) else {
            throw .invalidPercentEncoding(field: "path")
        }
        var query: [(name: String, value: String)] = []
        if let queryStart {
            for pair in rest[rest.index(after: queryStart)...].split(separator: "&", omittingEmptySubsequences: true) {
                let equals = pair.firstIndex(of: "=")
                let rawName = equals.map { pair[..<$0] } ?? pair
                let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? ""
                guard let name = PercentDecoding.decode(rawName, plusAsSpace: true),
                    let value = PercentDecoding.decode(rawValue, plusAsSpace: true)
                else {
                    throw .invalidPercentEncoding(field: "query parameter '\(rawName)'")
                }
                query.append((name: name, value: value))
            }
        }
        return Parts(rawPath: String(rawPath), path: path, query: query)
    }
}

/// `%XX` decoding that rejects malformed escapes and invalid UTF-8 instead of guessing.
package enum PercentDecoding {
    /// - Returns: the decoded text, or nil when an escape is malformed or the bytes are not UTF-8.
    package static func decode(_ text: Substring, plusAsSpace: Bool) -> String? {
        let utf8 = text.utf8
        if !utf8.contains(UInt8(ascii: "%")) && !(plusAsSpace && utf8.contains(UInt8(ascii: "+"))) {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
