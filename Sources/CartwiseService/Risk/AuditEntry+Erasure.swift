import HTTPCore

extension AuditEntry {
    /// The members that tie a decision to a person: the user, the hashes of email, IP, device and
    /// address, and the card.
    static let personalMembers: Set<String> = [
        "user", "email_hash", "ip_hash", "card_fingerprint", "card_bin", "device_hash", "address_hash",
    ]

    /// The user an entry names (nil: none, or not an entry).
    package static func user(of entry: [UInt8]) -> String? {
        var user: String?
        _ = members(of: entry) { key, reader throws(JSONReader.SyntaxError) in
            if key == "user" { user = try reader.readString() } else { try reader.skipValue() }
            return true
        }
        return user
    }

    /// The entry without its personal members, marked `"erased":true`: the decision, score,
    /// features and reasons stay (they are the shop's record of what it decided), the person
    /// goes. An entry that does not parse is returned as `{"erased":true}` with its order id
    /// when one can be read.
    package static func redacted(_ entry: [UInt8]) -> [UInt8] {
        var out: [UInt8] = Array("{".utf8)
        var first = true
        let parsed = members(of: entry) { key, reader throws(JSONReader.SyntaxError) in
            let start = reader.offset
            try reader.skipValue()
            guard !personalMembers.contains(key), key != "erased" else { return true }
            if !first { out += ",".utf8 }
            first = false
            JSONString.append(key, to: &out)
            out += ":".utf8
            out += entry[start..<reader.offset]
            return true
        }
        guard parsed else { return Array(#"{"erased":true}"#.utf8) }
        out += (first ? "" : ",").utf8
        out += #""erased":true}"#.utf8
        return out
    }

    /// Walks the top-level members of a JSON object; false when it is not one.
    private static func members(
        of bytes: [UInt8],
        _ body: (String, inout JSONReader) throws(JSONReader.SyntaxError) -> Bool
    ) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            do {
                reader.skipWhitespace()
                try reader.expect(UInt8(ascii: "{"))
                if reader.consume(UInt8(ascii: "}")) { return true }
                repeat {
                    let key = try reader.readString()
                    try reader.expect(UInt8(ascii: ":"))
                    reader.skipWhitespace()
                    guard try body(key, &reader) else { return true }
                } while reader.consume(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "}"))
                return true
            } catch {
                return false
            }
        }
    }
}
