/// A flat JSON object of string and number members: an event's or a `/rank` request's
/// `context`, a catalog item's `attributes`, a `/rank` item's own `context`.
///
/// One set of rules for every reader of one (names of 1 to ``EventDecoder/maxContextNameBytes``
/// bytes, strings up to ``EventDecoder/maxContextStringBytes``, finite numbers, at most
/// ``EventDecoder/maxContextFields`` members), so that what an event may carry and what `/rank`
/// may score cannot drift apart. Members reach the caller as UTF-8 bytes: a plain ASCII string's
/// bytes where they lie in the body, an escaped or non-ASCII one's once decoded. A caller that
/// keeps them makes strings; one that only hashes them (`/rank`) makes none.
enum FlatObject {
    enum Value {
        case string(UnsafeBufferPointer<UInt8>)
        case number(Double)
    }

    /// Reads the object (or `null`) at the reader, calling `member` for each valid member in order.
    static func read(
        _ reader: inout JSONReader,
        _ field: String,
        _ problem: (String, String) -> Void,
        _ member: (_ name: UnsafeBufferPointer<UInt8>, _ value: Value) -> Void
    ) throws(JSONReader.SyntaxError) {
        if reader.readNull() { return }
        guard try reader.peekKind() == .object else {
            problem(field, "must be an object of string and number fields")
            try reader.skipValue()
            return
        }
        try reader.expect(UInt8(ascii: "{"))
        if reader.consume(UInt8(ascii: "}")) { return }
        var members = 0
        repeat {
            let name = try Text(&reader)
            try reader.expect(UInt8(ascii: ":"))
            // Built only for a problem: a /rank request otherwise concatenates one per member.
            var path: String { field + "." + name.string(reader) }
            guard name.count >= 1, name.fits(EventDecoder.maxContextNameBytes, reader) else {
                problem(path, "name must be 1 to \(EventDecoder.maxContextNameBytes) characters long")
                try reader.skipValue()
                continue
            }
            switch try reader.peekKind() {
            case .string:
                let value = try Text(&reader)
                if !value.fits(EventDecoder.maxContextStringBytes, reader) {
                    problem(path, "must be at most \(EventDecoder.maxContextStringBytes) characters long")
                } else {
                    name.withBytes(reader) { name in value.withBytes(reader) { member(name, .string($0)) } }
                    members += 1
                }
            case .number:
                let number = try reader.readNumber()
                if number.isFinite {
                    name.withBytes(reader) { member($0, .number(number)) }
                    members += 1
                } else {
                    problem(path, "must be a finite number")
                }
            default:
                problem(path, "must be a string or a number (the object must be flat)")
                try reader.skipValue()
            }
        } while reader.consume(UInt8(ascii: ","))
        try reader.expect(UInt8(ascii: "}"))
        if members > EventDecoder.maxContextFields {
            problem(field, "has more than \(EventDecoder.maxContextFields) fields")
        }
    }

    /// A string read from the body: where its bytes are when it was plain, else decoded.
    private struct Text {
        var plain: Range<Int>?
        var decoded = ""

        init(_ reader: inout JSONReader) throws(JSONReader.SyntaxError) {
            plain = reader.readPlainString()
            if plain == nil { decoded = try reader.readString() }
        }

        /// UTF-8 bytes.
        var count: Int { plain?.count ?? decoded.utf8.count }

        /// Within `limit` characters (``TextLength``).
        func fits(_ limit: Int, _ reader: JSONReader) -> Bool {
            count <= limit || withBytes(reader) { TextLength.fits($0, atMost: limit) }
        }

        func string(_ reader: JSONReader) -> String { withBytes(reader) { String(decoding: $0, as: UTF8.self) } }

        func withBytes<R>(_ reader: JSONReader, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            if let plain { return reader.withBytes(plain, body) }
            var text = decoded
            return text.withUTF8(body)
        }
    }
}
