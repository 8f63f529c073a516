/// The values of a route's `{name}` segments, percent-decoded.
package struct RouteParameters: Sendable {
    private var values: [(name: String, value: String)] = []

    package init(_ values: [(name: String, value: String)] = []) {
        self.values = values
    }

    /// The value of `{name}`, or nil if the route has no such segment.
    package subscript(_ name: String) -> String? {
        values.first { $0.name == name }?.value
    }

    /// The value of `{name}`.
    /// - Throws: a 400 ``ProblemDetails`` if it is missing or empty.
    package func require(_ name: String) throws(ProblemDetails) -> String {
        guard let value = self[name], !value.isEmpty else {
            throw ProblemDetails(.badRequest, detail: "path parameter '\(name)' is required")
        }
        return value
    }
}
