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

    /// Whether a media type is text-like enough that gzip pays off.
    static func isCompressible(_ contentType: String?) -> Bool {
        guard let type = contentType?.lowercased() else { return false }
        return type.hasPrefix("text/") || type.contains("json") || type.contains("xml") || type.contains("yaml")
            || type.contains("javascript") || type.contains("csv")
    }
}
