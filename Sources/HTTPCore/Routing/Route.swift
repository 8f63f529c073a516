/// A route template split into segments: `/users/{id}/events` is
/// `[.literal("users"), .parameter("id"), .literal("events")]`.
struct RouteTemplate: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let text: String
    let segments: [Segment]

    init(_ text: String) {
        precondition(text.hasPrefix("/"), "route templates start with '/': \(text)")
        self.text = text
        segments = RouteTemplate.split(text).map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
    }

    var isStatic: Bool {
        segments.allSatisfy { if case .literal = $0 { return true } else { return false } }
    }

    /// Path segments without the leading slash; one trailing slash is ignored.
    static func split(_ path: String) -> [Substring] {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if parts.count > 1, parts.last == "" { parts = parts.dropLast() }
        return Array(parts)
    }

    /// Matches raw (still percent-encoded) segments; returns decoded parameters.
    func match(_ raw: [Substring]) -> RouteParameters? {
        guard raw.count == segments.count else { return nil }
        var values: [(name: String, value: String)] = []
        for (segment, part) in zip(segments, raw) {
            switch segment {
            case .literal(let literal):
                guard let decoded = PercentDecoding.decode(part, plusAsSpace: false), decoded == literal else {
                    return nil
                }
            case .parameter(let name):
                guard let decoded = PercentDecoding.decode(part, plusAsSpace: false) else { return nil }
                values.append((name: name, value: decoded))
            }
        }
        return RouteParameters(values)
    }
}

/// What a route runs.
package enum RouteHandler: Sendable {
    /// Answers on the event loop thread.
    case immediate(@Sendable (HTTPRequest, RouteParameters) throws -> HTTPResponse)
    /// Hands the work to another thread, which completes the promise.
    case deferred(@Sendable (HTTPRequest, RouteParameters, HTTPResponsePromise) throws -> Void)
    /// Answers on the loop thread when it can, else returns a promise: for routes whose usual
    /// answer is a lookup but whose rare one needs work elsewhere (a promise for every request
    /// would cost each one a hop through the loop's completion queue).
    case either(@Sendable (HTTPRequest, RouteParameters) throws -> HTTPOutcome)
}
