import CartwiseModels

/// Reads the `context` of one `/rank` item straight into the click model's tokens.
///
/// A storefront that sends each item's own fields (release year, genres, price band) sends a
/// hundred small objects per request. Read as ``ContextField`` strings and hashed afterwards,
/// they took 40 % of such a request: a string and an array per item, then a second pass over the
/// same bytes. ``FlatObject`` hands over each member's UTF-8 bytes (in place when plain, decoded
/// when escaped), with the rules an event's context has, and they are hashed as the learner
/// hashes an event's context fields (a test compares the tokens): strings categorical with `|`
/// separating several values, numbers log-binned.
enum ItemContextDecoder {
    /// Appends the fields of the context at the reader to `tokens`.
    /// - Returns: their positions in `tokens.fields`.
    static func read(
        _ reader: inout JSONReader,
        into tokens: inout CTRFeatures.Tokens,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) -> Range<Int> {
        let first = tokens.fields.count
        try FlatObject.read(&reader, "context", problem) { name, value in
            let prefix = FeatureHasher.prefix(name)
            switch value {
            case .string(let text): tokens.add(prefix: prefix, value: text, split: true)
            case .number(let number): tokens.add(prefix: prefix, number: number)
            }
        }
        return first..<tokens.fields.count
    }
}
