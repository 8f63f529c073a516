/// A request body parsed whole, for the bodies whose shape nests (a campaign, a budget plan):
/// read once by ``JSONReader`` and then walked through ``JSONFields``, which names the path of
/// the first problem (`offers[2].cost`). Flat hot-path bodies (`/rank`, `/score-order`) keep
/// their streaming decoders.
package indirect enum JSONTree: Sendable, Equatable {
    case object([Member])
    case array([JSONTree])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    package struct Member: Sendable, Equatable {
        package var key: String
        package var value: JSONTree
    }

    /// Deeper nesting than any body here has is refused rather than recursed into.
    package static let maxDepth = 32

    /// Parses a whole body.
    /// - Throws: ``APIError/malformedBody(reason:)`` for invalid JSON or nesting deeper than
    ///   ``maxDepth``.
    package static func parse(_ body: [UInt8]) throws(APIError) -> JSONTree {
        do {
            return try body.withUnsafeBufferPointer { buffer throws(JSONReader.SyntaxError) in
                var reader = JSONReader(buffer)
                reader.skipWhitespace()
                let tree = try value(&reader, depth: 0)
                reader.skipWhitespace()
                if !reader.isAtEnd { throw reader.error("unexpected data after the value") }
                return tree
            }
        } catch {
            throw .malformedBody(reason: error.description)
        }
    }

    private static func value(_ reader: inout JSONReader, depth: Int) throws(JSONReader.SyntaxError) -> JSONTree {
        guard depth < maxDepth else { throw reader.error("nested deeper than \(maxDepth) levels") }
        switch try reader.peekKind() {
        case .object:
            var members: [Member] = []
            try reader.expect(UInt8(ascii: "{"))
            if !reader.consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try reader.readString()
                    try reader.expect(UInt8(ascii: ":"))
                    members.append(Member(key: key, value: try value(&reader, depth: depth + 1)))
                } while reader.consume(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "}"))
            }
            return .object(members)
        case .array:
            var elements: [JSONTree] = []
            try reader.expect(UInt8(ascii: "["))
            if !reader.consume(UInt8(ascii: "]")) {
                repeat {
                    elements.append(try value(&reader, depth: depth + 1))
                } while reader.consume(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "]"))
            }
            return .array(elements)
        case .string: return .string(try reader.readString())
        case .number: return .number(try reader.readNumber())
        case .bool: return .bool(try reader.readBool())
        case .null:
            _ = reader.readNull()
            return .null
        }
    }
}

/// One JSON object of a ``JSONTree`` body, read field by field; every accessor throws
/// ``APIError/invalidField(field:reason:)`` with the field's full path.
package struct JSONFields: Sendable {
    /// The object's path (`offers[2]`), empty for the body itself.
    package let path: String
    private let members: [String: JSONTree]

    /// - Throws: ``APIError/invalidField(field:reason:)`` when `tree` is not an object.
    package init(_ tree: JSONTree, path: String = "", known: Set<String>) throws(APIError) {
        guard case .object(let list) = tree else {
            throw .invalidField(field: path.isEmpty ? "(body)" : path, reason: "must be a JSON object")
        }
        self.path = path
        var members: [String: JSONTree] = [:]
        for member in list {
            guard known.contains(member.key) else {
                throw .invalidField(field: Self.join(path, member.key), reason: "is not a known field")
            }
            members[member.key] = member.value
        }
        self.members = members
    }

    package func field(_ key: String) -> String { Self.join(path, key) }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// Whether the key is present. A null is present: it is no field's valid value here, so
    /// it is refused by type rather than taken for "absent".
    package func has(_ key: String) -> Bool { members[key] != nil }

    package func raw(_ key: String) -> JSONTree? { members[key] }

    /// A string of 1 to `maxBytes` bytes.
    /// - Throws: when present and not such a string, or absent and `required`.
    package func string(_ key: String, required: Bool = false, maxBytes: Int = 256) throws(APIError) -> String? {
        guard let value = raw(key) else {
            if required { throw .invalidField(field: field(key), reason: "is required") }
            return nil
        }
        guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= maxBytes else {
            throw .invalidField(field: field(key), reason: "must be a non-empty string of at most \(maxBytes) bytes")
        }
        return text
    }

    /// A finite number in `range`.
    /// - Throws: when present and not such a number, or absent and `required`.
    package func number(
        _ key: String,
        in range: ClosedRange<Double>,
        required: Bool = false
    ) throws(APIError) -> Double? {
        guard let value = raw(key) else {
            if required { throw .invalidField(field: field(key), reason: "is required") }
            return nil
        }
        guard case .number(let number) = value, number.isFinite, range.contains(number) else {
            throw .invalidField(
                field: field(key),
                reason: "must be a number from \(Self.text(range.lowerBound)) to \(Self.text(range.upperBound))"
            )
        }
        return number
    }

    /// An integer in `range`.
    package func integer(_ key: String, in range: ClosedRange<Int>, required: Bool = false) throws(APIError) -> Int? {
        guard let value = raw(key) else {
            if required { throw .invalidField(field: field(key), reason: "is required") }
            return nil
        }
        guard case .number(let number) = value, number.rounded() == number, number >= Double(range.lowerBound),
            number <= Double(range.upperBound)
        else {
            throw .invalidField(
                field: field(key),
                reason: "must be an integer from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return Int(number)
    }

    /// An array (possibly empty).
    package func array(_ key: String, required: Bool = false, maxCount: Int) throws(APIError) -> [JSONTree]? {
        guard let value = raw(key) else {
            if required { throw .invalidField(field: field(key), reason: "is required") }
            return nil
        }
        guard case .array(let elements) = value else {
            throw .invalidField(field: field(key), reason: "must be an array")
        }
        guard elements.count <= maxCount else {
            throw .invalidField(field: field(key), reason: "must hold at most \(maxCount) entries")
        }
        return elements
    }

    /// A time as events give one: Unix seconds, or RFC 3339 (`2026-03-01T09:00:00Z`) or a bare
    /// date (`2026-03-01`, midnight UTC); 1970 to 2100.
    /// - Returns: milliseconds since the epoch.
    package func time(_ key: String, required: Bool = false) throws(APIError) -> Int64? {
        guard let value = raw(key) else {
            if required { throw .invalidField(field: field(key), reason: "is required") }
            return nil
        }
        var milliseconds: Int64?
        switch value {
        case .number(let seconds) where seconds >= 0 && seconds <= Double(Timestamp.maximum) / 1000:
            milliseconds = Int64((seconds * 1000).rounded())
        case .string(let text): milliseconds = Timestamp.parse(text)
        default: break
        }
        guard let milliseconds, milliseconds >= Timestamp.minimum, milliseconds <= Timestamp.maximum else {
            throw .invalidField(
                field: field(key),
                reason:
                    "must be RFC 3339 (2026-03-01T09:00:00Z), a date (2026-03-01) or Unix seconds between 1970 and 2100"
            )
        }
        return milliseconds
    }

    private static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
