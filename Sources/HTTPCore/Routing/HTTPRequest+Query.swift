extension HTTPRequest {
    /// An integer query parameter.
    /// - Parameters:
    ///   - name: the parameter.
    ///   - defaultValue: the value when it is absent.
    ///   - range: the accepted values.
    /// - Returns: the value, or `default`.
    /// - Throws: a 400 ``ProblemDetails`` naming the parameter when it is not an integer in `range`.
    package func queryInt(
        _ name: String,
        default defaultValue: Int?,
        range: ClosedRange<Int>
    ) throws(ProblemDetails)
        -> Int?
    {
        guard let text = queryValue(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ProblemDetails(
                .badRequest,
                detail: "query parameter '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return value
    }

    /// A number query parameter (finite).
    /// - Returns: the value, or `default`.
    /// - Throws: a 400 ``ProblemDetails`` naming the parameter when it is not a number in `range`.
    package func queryDouble(
        _ name: String,
        default defaultValue: Double?,
        range: ClosedRange<Double>
    )
        throws(ProblemDetails) -> Double?
    {
        guard let text = queryValue(name) else { return defaultValue }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw ProblemDetails(
                .badRequest,
                detail: "query parameter '\(name)' must be a number from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return value
    }

    /// A boolean query parameter: `true`/`false`/`1`/`0`.
    /// - Returns: the value, or `default`.
    /// - Throws: a 400 ``ProblemDetails`` naming the parameter otherwise.
    package func queryBool(_ name: String, default defaultValue: Bool) throws(ProblemDetails) -> Bool {
        guard let text = queryValue(name) else { return defaultValue }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ProblemDetails(.badRequest, detail: "query parameter '\(name)' must be true or false")
        }
    }

    /// A comma-separated list parameter (`exclude=a,b`), also accepting repeats (`exclude=a&exclude=b`).
    package func queryList(_ name: String) -> [String] {
        query.filter { $0.name == name }.flatMap { $0.value.split(separator: ",").map(String.init) }.filter {
            !$0.isEmpty
        }
    }
}
