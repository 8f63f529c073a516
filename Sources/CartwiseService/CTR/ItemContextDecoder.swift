import CartwiseModels

/// Reads the `context` of one `/rank` item straight into the click model's tokens.
///
/// A storefront that sends each item's own fields (release year, genres, price band) sends a
/// hundred small objects per request. Read as ``ContextField`` strings and hashed afterwards,
/// they took 40 % of such a request: a string and an array per item, then a second pass over the
/// same bytes. Here a plain ASCII name or value is hashed where it lies in the body; one with
/// escapes or non-ASCII bytes is decoded to a string first, so both hash the same UTF-8 (a test
/// checks the tokens against the field-by-field path the learner uses).
///
/// The rules are ``EventDecoder``'s for a context: a flat object of string and number fields,
/// names of 1 to 64 bytes, strings up to 256 bytes, finite numbers, at most 64 fields; strings are
/// categorical with `|` separating several values, numbers log-binned.
enum ItemContextDecoder {
    /// Appends the fields of the context at the reader to `tokens`.
    /// - Returns: their positions in `tokens.fields`.
    static func read(
        _ reader: inout JSONReader,
        into tokens: inout CTRFeatures.Tokens,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) -> Range<Int> {
        let first = tokens.fields.count
        if reader.readNull() { return first..<first }
        guard try reader.peekKind() == .object else {
            problem("context", "must be an object of string and number fields")
            try reader.skipValue()
            return first..<first
        }
        try reader.expect(UInt8(ascii: "{"))
        if reader.consume(UInt8(ascii: "}")) { return first..<first }
        repeat {
            let name = try Name(&reader)
            try reader.expect(UInt8(ascii: ":"))
            // Built only for a problem.
            var path: String { "context." + name.text(reader) }
            guard name.isAllowed else {
                problem(path, "name must be 1 to \(EventDecoder.maxContextNameBytes) bytes long")
                try reader.skipValue()
                continue
            }
            switch try reader.peekKind() {
            case .string:
                let fits: Bool
                if let plain = reader.readPlainString({ bytes in
                    guard bytes.count <= EventDecoder.maxContextStringBytes else { return false }
                    tokens.add(prefix: name.prefix, value: bytes, split: true)
                    return true
                }) {
                    fits = plain
                } else {
                    var text = try reader.readString()
                    fits = text.utf8.count <= EventDecoder.maxContextStringBytes
                    if fits { text.withUTF8 { tokens.add(prefix: name.prefix, value: $0, split: true) } }
                }
                if !fits { problem(path, "must be at most \(EventDecoder.maxContextStringBytes) bytes long") }
            case .number:
                let number = try reader.readNumber()
                if number.isFinite {
                    tokens.add(prefix: name.prefix, number: number)
                } else {
                    problem(path, "must be a finite number")
                }
            default:
                problem(path, "must be a string or a number (the object must be flat)")
                try reader.skipValue()
            }
        } while reader.consume(UInt8(ascii: ","))
        try reader.expect(UInt8(ascii: "}"))
        if tokens.fields.count - first > EventDecoder.maxContextFields {
            problem("context", "has more than \(EventDecoder.maxContextFields) fields")
        }
        return first..<tokens.fields.count
    }

    /// A field name: its hash prefix, and where to find its text for a problem's path.
    private struct Name {
        var prefix: UInt64
        var isAllowed: Bool
        /// The name's bytes in the body when it was plain, else nil and `decoded` holds it.
        var plain: Range<Int>?
        var decoded = ""

        init(_ reader: inout JSONReader) throws(JSONReader.SyntaxError) {
            if let count = reader.readPlainString({ bytes in (bytes.count, FeatureHasher.prefix(bytes)) }) {
                plain = (reader.offset - 1 - count.0)..<(reader.offset - 1)
                prefix = count.1
                isAllowed = Self.allowed(count.0)
            } else {
                decoded = try reader.readString()
                prefix = FeatureHasher.prefix(decoded)
                isAllowed = Self.allowed(decoded.utf8.count)
            }
        }

        func text(_ reader: JSONReader) -> String { plain.map(reader.text) ?? decoded }

        private static func allowed(_ count: Int) -> Bool {
            count >= 1 && count <= EventDecoder.maxContextNameBytes
        }
    }
}
