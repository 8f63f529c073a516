/// Content-coding negotiation for responses (RFC 9110 §12.5.3).
enum ContentCoding {
    /// Whether an `Accept-Encoding` value admits gzip: listed (or `x-gzip`) with q > 0, or
    /// covered by `*` with q > 0 when gzip itself is not refused.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var wildcard = false
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";")
            guard let first = parts.first else { continue }
            let coding = first.trimmingASCIIWhitespace().lowercased()
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingASCIIWhitespace()
                if pair.lowercased().hasPrefix("q=") {
                    quality = Double(pair.dropFirst(2)) ?? 0
                }
            }
            if coding == "gzip" || coding == "x-gzip" { return quality > 0 }
            if coding == "*" { wildcard = quality > 0 }
        }
        return wildcard
    }

    /// Whether a media type is text-like enough that gzip pays off: `text/*`, or a type that
    /// names json, xml, yaml, javascript or csv anywhere (`application/problem+json`).
    ///
    /// Byte by byte, ASCII case folded: every response asks, and `lowercased()` with
    /// `String.contains` cost a fifth of a cached `GET /forecast` on the loop thread.
    static func isCompressible(_ contentType: String?) -> Bool {
        guard let type = contentType else { return false }
        return ASCIICaseless.hasPrefix(type, "text/") || textual.contains { ASCIICaseless.contains(type, $0) }
    }

    private static let textual: [StaticString] = ["json", "xml", "yaml", "javascript", "csv"]
}
