import CartwiseModels
import HTTPCore

/// The query parameters `/forecast`, `/forecast/batch` and `/inventory/policy` share: the series
/// id, the horizon and the interval levels.
enum ForecastQuery {
    /// The `item` query parameter: the series or item id.
    static func seriesID(_ request: HTTPRequest) throws(APIError) -> String {
        guard let id = request.queryValue("item"), !id.isEmpty else {
            throw .invalidField(field: "item", reason: "is required (the item or series id)")
        }
        guard TextLength.fits(id, atMost: 256) else {
            throw .invalidField(field: "item", reason: "must be at most 256 characters")
        }
        return id
    }

    /// `scenario`: a what-if planned with `POST /promotions` (nil: the baseline plan).
    static func scenario(_ request: HTTPRequest) throws(APIError) -> String? {
        guard let text = request.queryValue("scenario") else { return nil }
        guard !text.isEmpty, TextLength.fits(text, atMost: 256) else {
            throw .invalidField(field: "scenario", reason: "must be a scenario name of 1 to 256 characters")
        }
        return text
    }

    static func defaultHorizon(_ frequency: Frequency) -> Int {
        switch frequency {
        case .day: return 14
        case .week: return 13
        case .month: return 18
        case .quarter: return 8
        case .year: return 6
        }
    }

    static func horizon(_ request: HTTPRequest, _ entry: ForecastSnapshot.Entry) throws -> Int {
        try request.queryInt(
            "horizon",
            default: defaultHorizon(entry.frequency),
            range: 1...entry.frequency.maxHorizon
        )!
    }

    /// The widest interval level: nearer 100, the normal quantile is no longer a finite number
    /// in floating point (99.99999999999999 % gave an interval of NaN), and the service level of
    /// `/inventory/policy` stops at the same 0.9999.
    static let maxLevel = 99.9999

    /// Whether `value` is an interval level an answer can be computed for.
    static func isLevel(_ value: Double) -> Bool { value > 0 && value <= maxLevel }

    /// `levels=80,95`: central interval levels in percent, 1 to 5 of them, each above 0 and at
    /// most 99.9999.
    static func levels(_ text: String?) throws(APIError) -> [Double] {
        guard let text else { return [80, 95] }
        var result: [Double] = []
        // The count is of the levels sent (the schema's maxItems), before repeats are dropped.
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= 5 else { throw .invalidField(field: "levels", reason: "must list 1 to 5 levels") }
        for part in parts {
            guard let value = Double(part), isLevel(value) else {
                throw .invalidField(
                    field: "levels",
                    reason: "must be comma-separated percentages above 0 and at most 99.9999"
                )
            }
            if !result.contains(value) { result.append(value) }
        }
        guard !result.isEmpty, result.count <= 5 else {
            throw .invalidField(field: "levels", reason: "must list 1 to 5 levels")
        }
        return result
    }

    static func levelName(_ level: Double) -> String { JSONWriter.number(level) }
}
