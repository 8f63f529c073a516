/// A request body that must be exactly one JSON object, read member by member: the frame every
/// hand-written body decoder shares (`/rank`, `/score-order`, `/labels`).
package enum JSONObjectBody {
    /// Hands each member's key to `member`, with the reader at its value (which `member` must
    /// consume). A body that is valid JSON but not an object is reported through `problem` as
    /// `(body)`.
    /// - Throws: ``APIError/malformedBody(reason:)`` when the body is not valid JSON.
    package static func read(
        _ body: [UInt8],
        problem: (String, String) -> Void,
        member: (String, inout JSONReader) throws(JSONReader.SyntaxError) -> Void
    ) throws(APIError) {
        do {
            try body.withUnsafeBufferPointer { buffer throws(JSONReader.SyntaxError) in
                var reader = JSONReader(buffer)
                reader.skipWhitespace()
                guard try reader.peekKind() == .object else {
                    problem("(body)", "must be a JSON object")
                    return
                }
                try reader.expect(UInt8(ascii: "{"))
                if !reader.consume(UInt8(ascii: "}")) {
                    repeat {
                        let key = try reader.readString()
                        try reader.expect(UInt8(ascii: ":"))
                        try member(key, &reader)
                    } while reader.consume(UInt8(ascii: ","))
                    try reader.expect(UInt8(ascii: "}"))
                }
                reader.skipWhitespace()
                if !reader.isAtEnd { throw reader.error("unexpected data after the object") }
            }
        } catch {
            throw .malformedBody(reason: error.description)
        }
    }
}
