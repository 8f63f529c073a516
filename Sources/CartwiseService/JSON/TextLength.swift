/// Length limits on text count characters (Unicode scalars), as JSON Schema's `maxLength` and
/// `openapi.yaml` do, not UTF-8 bytes: a 40-character name in a script of 3-byte characters is
/// within a 64-character limit. Storage is sized for it (4 bytes a character at most).
///
/// Text whose byte count is within the limit is within it in characters too, so the common
/// case costs one comparison; only longer byte strings are counted character by character.
package enum TextLength {
    package static func fits(_ text: String, atMost limit: Int) -> Bool {
        text.utf8.count <= limit || text.unicodeScalars.count <= limit
    }

    package static func fits(_ bytes: UnsafeBufferPointer<UInt8>, atMost limit: Int) -> Bool {
        if bytes.count <= limit { return true }
        var characters = 0
        // Every UTF-8 byte but a continuation byte (10xxxxxx) starts a scalar.
        for byte in bytes where byte & 0xC0 != 0x80 {
            characters += 1
            if characters > limit { return false }
        }
        return true
    }

    /// The length in characters, for a message.
    package static func characters(_ text: String) -> Int { text.unicodeScalars.count }
}
