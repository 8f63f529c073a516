/// ASCII case-insensitive matching over UTF-8 bytes, for the header values and request targets
/// looked at on every request, where `lowercased()` and `String.contains` cost more than the
/// rest of a cached answer.
package enum ASCIICaseless {
    /// Whether `token` (lowercase ASCII) occurs in `bytes` at `start`, letters compared without
    /// regard to case.
    package static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, _ token: StaticString) -> Bool {
        let count = token.utf8CodeUnitCount
        guard start >= 0, bytes.count - start >= count else { return false }
        let expected = token.utf8Start
        for offset in 0..<count {
            let byte = bytes[start + offset]
            let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            if lower != expected[offset] { return false }
        }
        return true
    }

    /// Whether `text` starts with `token` (lowercase ASCII), ignoring case.
    package static func hasPrefix(_ text: String, _ token: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { matches($0, at: 0, token) }
    }

    /// Whether `token` (lowercase ASCII) occurs anywhere in `text`, ignoring case.
    package static func contains(_ text: String, _ token: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { bytes in bytes.indices.contains { matches(bytes, at: $0, token) } }
    }
}
