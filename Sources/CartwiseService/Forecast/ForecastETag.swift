/// A forecast answer's `ETag` (the fit and the query that shaped the answer) and the
/// `If-None-Match` test: a dashboard that polls gets 304 until the series is refitted.
enum ForecastETag {
    static func etag(_ entry: ForecastSnapshot.Entry, horizon: Int, levels: [Double], scenario: String? = nil) -> String
    {
        "\"f\(entry.version)-\(entry.fittedAt)-h\(horizon)-"
            + levels.map(ForecastQuery.levelName).joined(separator: "_")
            + (scenario.map { "-s" + String(Forecaster.seed($0), radix: 16) } ?? "") + "\""
    }

    /// `If-None-Match`: `*`, or a comma-separated list of tags (weak ones compare weakly).
    static func matches(_ header: String, _ tag: String) -> Bool {
        for part in header.split(separator: ",") {
            var candidate = part.trimmingSpaces
            if candidate == "*" { return true }
            if candidate.hasPrefix("W/") { candidate.removeFirst(2) }
            if candidate == tag { return true }
        }
        return false
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
