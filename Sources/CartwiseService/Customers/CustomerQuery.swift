package import HTTPCore

/// The date and horizon a customer answer is computed for (`as_of`, `horizon_days`,
/// `discount_rate`), read and range-checked from the query.
package struct CustomerQuery: Sendable, Equatable {
    package var asOf: Int32
    package var horizonDays: Int
    package var monthlyDiscount: Double

    /// The longest horizon: ten years (further out, the models extrapolate a cohort's first
    /// years over a decade they have not seen).
    package static let maxHorizonDays = 3_650

    /// - Parameters:
    ///   - request: the query's source.
    ///   - model: the defaults (its as-of date, horizon and discount rate).
    /// - Throws: a 400 ``ProblemDetails`` naming the parameter that is out of range.
    package init(_ request: HTTPRequest, model: CustomerModel) throws(ProblemDetails) {
        if let text = request.queryValue("as_of") {
            guard let milliseconds = Timestamp.parse(text), milliseconds >= Timestamp.minimum,
                milliseconds < Timestamp.maximum
            else {
                throw ProblemDetails(
                    .badRequest,
                    detail: "query parameter 'as_of' must be a date (2026-01-31) or an RFC 3339 time from 1970 to 2099"
                )
            }
            asOf = CustomerLedger.day(milliseconds)
        } else {
            asOf = model.asOf
        }
        horizonDays = try request.queryInt("horizon_days", default: model.horizonDays, range: 1...Self.maxHorizonDays)!
        monthlyDiscount = try request.queryDouble("discount_rate", default: model.monthlyDiscount, range: 0...1)!
    }

    /// Whether the answer is the one the model precomputed.
    package func isDefault(for model: CustomerModel) -> Bool {
        asOf == model.asOf && horizonDays == model.horizonDays && monthlyDiscount == model.monthlyDiscount
    }

    /// A UTC day as `2026-01-31`.
    package static func date(_ day: Int32) -> String {
        Frequency.day.format(Int(day))
    }
}
