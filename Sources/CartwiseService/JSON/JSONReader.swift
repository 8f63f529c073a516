/// A fast, allocation-light JSON reader over bytes, for the ingestion hot path.
///
/// Decoding 200,000 events a second through `Codable` would spend most of its time in generic
/// containers; this reads tokens straight into our types and reports the byte offset of a syntax
/// error. Nesting is bounded (``maxDepth``) so hostile input cannot exhaust the stack.
package struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    package private(set) var offset: Int
    private let end: Int
    /// The deepest nesting ``skipValue()`` follows.
    package static let maxDepth = 64

    /// A syntax error at a byte offset.
    package struct SyntaxError: Error, Equatable, CustomStringConvertible {
        package var offset: Int
        package var reason: String
        package var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    package init(_ bytes: UnsafeBufferPointer<UInt8>, start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        offset = start
        self.end = end ?? bytes.count
    }

    package var isAtEnd: Bool { offset >= end }

    @inline(__always)
    package mutating func skipWhitespace() {
        while offset < end {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    /// The next non-space byte without consuming it.
    @inline(__always)
    package mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < end ? bytes[offset] : nil
    }

    package func error(_ reason: String) -> SyntaxError {
        SyntaxError(offset: offset, reason: reason)
    }

    /// Consumes `byte` or throws.
    ///
    /// These small steps are forced inline, with their error messages built out of line:
    /// left to the optimiser, each was a call, and a 100-item `/rank` body makes about 700.
    @inline(__always)
    package mutating func expect(_ byte: UInt8) throws(SyntaxError) {
        guard peek() == byte else { throw expected(byte) }
        offset += 1
    }

    @inline(never)
    private func expected(_ byte: UInt8) -> SyntaxError {
        error("expected '\(Character(UnicodeScalar(byte)))'")
    }

    /// Consumes `byte` if it is next.
    @inline(__always)
    package mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        offset += 1
        return true
    }

    /// What kind of value comes next.
    package enum Kind {
        case object, array, string, number, bool, null
    }

    @inline(__always)
    package mutating func peekKind() throws(SyntaxError) -> Kind {
        guard let next = peek() else { throw error("unexpected end of input") }
        switch next {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("unexpected character")
        }
    }

    /// Reads a string, decoding escapes (including surrogate pairs).
    package mutating func readString() throws(SyntaxError) -> String {
        try expect(UInt8(ascii: "\""))
        let start = offset
        // Fast path: no escapes.
        while offset < end {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
                offset += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw error("control character in string") }
            offset += 1
        }
        var scalars: [UInt8] = Array(bytes[start..<offset])
        while offset < end {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard offset < end else { break }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try readHex4()
                    if code >= 0xD800 && code < 0xDC00 {
                        guard offset + 1 < end, bytes[offset] == UInt8(ascii: "\\"),
                            bytes[offset + 1] == UInt8(ascii: "u")
                        else { throw error("unpaired surrogate in string") }
                        offset += 2
                        let low = try readHex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw error("unpaired surrogate in string") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if code >= 0xDC00 && code < 0xE000 {
                        throw error("unpaired surrogate in string")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw error("invalid escape in string")
                }
            default:
                guard byte >= 0x20 else { throw error("control character in string") }
                scalars.append(byte)
            }
        }
        throw error("unterminated string")
    }

    /// Reads a string that is plain ASCII without escapes, answering where its bytes are in the
    /// input (quotes excluded) without making a `String`; anything else (an escape, a non-ASCII
    /// or control byte, no closing quote, not a string) is left unread for ``readString()``, and
    /// the answer is nil. Those bytes are exactly the string's UTF-8, so hashing them hashes the
    /// string.
    @inline(__always)
    package mutating func readPlainString() -> Range<Int>? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        var index = offset + 1
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { offset = index + 1 }
                return (offset + 1)..<index
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// `body` over the input's bytes in `range` (a plain string ``readPlainString()`` read).
    package func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(rebasing: bytes[range]))
    }

    private mutating func readHex4() throws(SyntaxError) -> UInt32 {
        guard offset + 4 <= end else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    /// Reads a number per the JSON grammar.
    ///
    /// Most numbers take Clinger's fast path: up to 19 significant digits make an exact integer
    /// mantissa, and when it is below 2^53 and the decimal exponent within ±22, one IEEE
    /// multiplication or division by an exact power of ten rounds correctly. Only the rest go
    /// through `strtod` (a risk request's 29 signals otherwise spend more time there than in the
    /// trees).
    package mutating func readNumber() throws(SyntaxError) -> Double {
        skipWhitespace()
        let start = offset
        let negative = offset < end && bytes[offset] == UInt8(ascii: "-")
        if negative { offset += 1 }
        guard offset < end, isDigit(bytes[offset]) else { throw error("invalid number") }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var exact = true
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else {
            while offset < end, isDigit(bytes[offset]) {
                accumulate(bytes[offset], &mantissa, &significant, &exponent, &exact, fraction: false)
                offset += 1
            }
        }
        if offset < end, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < end, isDigit(bytes[offset]) else { throw error("invalid number") }
            while offset < end, isDigit(bytes[offset]) {
                accumulate(bytes[offset], &mantissa, &significant, &exponent, &exact, fraction: true)
                offset += 1
            }
        }
        if offset < end, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            var negativeExponent = false
            if offset < end, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                negativeExponent = bytes[offset] == UInt8(ascii: "-")
                offset += 1
            }
            guard offset < end, isDigit(bytes[offset]) else { throw error("invalid number") }
            var written = 0
            while offset < end, isDigit(bytes[offset]) {
                if written < 100_000 { written = written * 10 + Int(bytes[offset] - UInt8(ascii: "0")) }
                offset += 1
            }
            exponent += negativeExponent ? -written : written
        }
        if exact && mantissa <= 1 << 53 && (-22...22).contains(exponent) {
            let magnitude =
                exponent >= 0
                ? Double(mantissa) * Self.powersOfTen[exponent]
                : Double(mantissa) / Self.powersOfTen[-exponent]
            return negative ? -magnitude : magnitude
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let value = Double(text) else { throw SyntaxError(offset: start, reason: "invalid number") }
        return value
    }

    /// 10^0 ... 10^22, every one exactly representable as a Double.
    private static let powersOfTen: [Double] = (0...22).map { power in
        (0..<power).reduce(1.0) { value, _ in value * 10 }
    }

    /// Adds one digit to the mantissa; leading zeros are not significant, and a digit that no
    /// longer fits makes the number inexact (it then goes to `strtod`).
    @inline(__always)
    private func accumulate(
        _ byte: UInt8,
        _ mantissa: inout UInt64,
        _ significant: inout Int,
        _ exponent: inout Int,
        _ exact: inout Bool,
        fraction: Bool
    ) {
        let digit = UInt64(byte - UInt8(ascii: "0"))
        if significant == 0 && digit == 0 {
            if fraction { exponent -= 1 }
            return
        }
        if significant < 19 {
            mantissa = mantissa * 10 + digit
            significant += 1
            if fraction { exponent -= 1 }
        } else {
            if digit != 0 { exact = false }
            if !fraction { exponent += 1 }
        }
    }

    /// The bytes from `start` to the current offset with the whitespace between tokens left
    /// out: a value already read, kept as it arrived (valid JSON on one line).
    package func compacted(from start: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(offset - start)
        var inString = false
        var escaped = false
        for index in start..<offset {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                continue
            }
            out.append(byte)
        }
        return out
    }

    package mutating func readBool() throws(SyntaxError) -> Bool {
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw error("expected true or false")
    }

    /// Consumes `null` if it is next.
    package mutating func readNull() -> Bool {
        skipWhitespace()
        return matchLiteral("null")
    }

    /// Consumes the object key `"key"` (with no escapes) if it is next, without making a
    /// string: a 100-item request otherwise builds and compares 100 copies of `"item"`.
    package mutating func consumeKey(_ key: StaticString) -> Bool {
        skipWhitespace()
        let count = key.utf8CodeUnitCount
        guard offset + count + 2 <= end, bytes[offset] == UInt8(ascii: "\""),
            bytes[offset + count + 1] == UInt8(ascii: "\"")
        else { return false }
        for index in 0..<count where bytes[offset + 1 + index] != key.utf8Start[index] {
            return false
        }
        offset += count + 2
        return true
    }

    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        skipWhitespace()
        let count = literal.utf8CodeUnitCount
        guard offset + count <= end else { return false }
        for index in 0..<count where bytes[offset + index] != literal.utf8Start[index] {
            return false
        }
        offset += count
        return true
    }

    /// Skips any value, refusing nesting deeper than ``maxDepth``.
    package mutating func skipValue(depth: Int = 0) throws(SyntaxError) {
        guard depth < Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth) levels") }
        switch try peekKind() {
        case .string: _ = try readString()
        case .number: _ = try readNumber()
        case .bool: _ = try readBool()
        case .null: _ = readNull()
        case .array:
            offset += 1
            if consume(UInt8(ascii: "]")) { return }
            repeat { try skipValue(depth: depth + 1) } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
        case .object:
            offset += 1
            if consume(UInt8(ascii: "}")) { return }
            repeat {
                _ = try readString()
                try expect(UInt8(ascii: ":"))
                try skipValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
        }
    }

    /// Iterates an object's members: `body` must consume each value.
    package mutating func readObject(_ body: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try readString()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Iterates an array's elements: `body` must consume each element.
    package mutating func readArray(_ body: (inout JSONReader, Int) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if consume(UInt8(ascii: "]")) { return }
        var index = 0
        repeat {
            try body(&self, index)
            index += 1
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
