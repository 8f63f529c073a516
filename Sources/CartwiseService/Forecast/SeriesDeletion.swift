import HTTPCore

/// A `DELETE /series/{id}` as the series log keeps it, `{"delete":"id"}`, next to the upload
/// bodies it undoes: replay applies both in order.
enum SeriesDeletion {
    static func encode(_ id: String) -> [UInt8] {
        var out: [UInt8] = Array(#"{"delete":"#.utf8)
        JSONString.append(id, to: &out)
        out += "}".utf8
        return out
    }

    /// The id of a deletion record, or nil for any other record (an upload).
    static func decode(_ payload: [UInt8]) -> String? {
        guard payload.starts(with: Array(#"{"delete":"#.utf8)) else { return nil }
        var id: String?
        var other = false
        func member(_ key: String, _ reader: inout JSONReader) throws(JSONReader.SyntaxError) {
            if key == "delete", try reader.peekKind() == .string {
                id = try reader.readString()
            } else {
                other = true
                try reader.skipValue()
            }
        }
        try? JSONObjectBody.read(payload, problem: { _, _ in other = true }, member: member)
        return other ? nil : id
    }
}
