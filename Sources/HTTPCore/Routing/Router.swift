/// Routes requests by method and path template to handlers; answers 404, 405 (with `Allow`),
/// `OPTIONS`, and `HEAD` for every `GET` route.
///
/// Built once with ``RouterBuilder`` and immutable afterwards, so every loop thread reads it
/// without locks. Static paths are a dictionary lookup; templated ones are matched by segments.
package final class Router: HTTPResponder {
    private struct Entry: Sendable {
        let template: RouteTemplate
        var handlers: [HTTPMethod: Registered]
    }

    private struct Registered: Sendable {
        let handler: RouteHandler
        let access: UInt32
    }

    /// Decides whether a matched request may run: nil lets it through, a response (401, 403,
    /// 429, ...) answers instead. It sees the route's template and the access word the route was
    /// registered with (opaque here: the application gives it meaning; 0 when none was given).
    package typealias Gate = @Sendable (HTTPRequest, _ route: String, _ access: UInt32) -> HTTPResponse?

    /// One registered route, for listings and checks.
    package struct RouteInfo: Sendable, Equatable {
        package let method: HTTPMethod
        package let template: String
        package let access: UInt32
    }

    private let staticRoutes: [String: Entry]
    private let templatedRoutes: [Entry]
    private let onError: @Sendable (any Error, HTTPRequest) -> Void
    private let gate: Gate?
    /// Every route in registration order.
    package let routes: [RouteInfo]

    init(
        entries: [(RouteTemplate, HTTPMethod, RouteHandler, UInt32)],
        gate: Gate?,
        onError: @escaping @Sendable (any Error, HTTPRequest) -> Void
    ) {
        self.gate = gate
        var statics: [String: Entry] = [:]
        var templated: [Entry] = []
        routes = entries.map { RouteInfo(method: $0.1, template: $0.0.text, access: $0.3) }
        for (template, method, handler, access) in entries {
            let handler = Registered(handler: handler, access: access)
            if template.isStatic {
                let key = "/" + RouteTemplate.split(template.text).joined(separator: "/")
                statics[key, default: Entry(template: template, handlers: [:])].handlers[method] = handler
            } else if let index = templated.firstIndex(where: { $0.template.segments == template.segments }) {
                templated[index].handlers[method] = handler
            } else {
                templated.append(Entry(template: template, handlers: [method: handler]))
            }
        }
        staticRoutes = statics
        templatedRoutes = templated
        self.onError = onError
    }

    package func respond(to request: HTTPRequest) -> HTTPOutcome {
        guard let (entry, parameters) = lookup(request.rawPath) else {
            return .response(
                ProblemDetails(.notFound, detail: "no route for path '\(request.path.prefix(200))'").makeResponse()
            )
        }
        let method = request.method
        let registered = entry.handlers[method] ?? (method == .head ? entry.handlers[.get] : nil)
        guard let registered else {
            let allow = Self.allowHeader(entry.handlers.keys)
            var response: HTTPResponse
            if method == .options {
                response = HTTPResponse(status: .noContent, headers: ["Allow": allow])
            } else {
                response = ProblemDetails(
                    .methodNotAllowed,
                    detail: "method \(method) is not allowed on '\(entry.template.text)' (allowed: \(allow))",
                    headers: ["Allow": allow]
                ).makeResponse()
            }
            response.route = entry.template.text
            return .response(response)
        }
        let route = entry.template.text
        if let gate, var refused = gate(request, route, registered.access) {
            refused.route = route
            return .response(refused)
        }
        switch registered.handler {
        case .immediate(let body):
            var response: HTTPResponse
            do {
                response = try body(request, parameters)
            } catch {
                response = render(error, for: request)
            }
            response.route = route
            return .response(response)
        case .deferred(let body):
            let inner = HTTPResponsePromise()
            do {
                try body(request, parameters, inner)
            } catch {
                inner.succeed(render(error, for: request))
            }
            return .deferred(Self.labelled(inner, route: route))
        case .either(let body):
            var outcome: HTTPOutcome
            do {
                outcome = try body(request, parameters)
            } catch {
                outcome = .response(render(error, for: request))
            }
            switch outcome {
            case .response(var response):
                response.route = route
                return .response(response)
            case .deferred(let inner):
                return .deferred(Self.labelled(inner, route: route))
            }
        }
    }

    /// A promise that completes with `inner`'s response, labelled with its route for metrics.
    private static func labelled(_ inner: HTTPResponsePromise, route: String) -> HTTPResponsePromise {
        let outer = HTTPResponsePromise()
        inner.whenComplete { response in
            var labelled = response
            labelled.route = route
            outer.succeed(labelled)
        }
        return outer
    }

    private func render(_ error: any Error, for request: HTTPRequest) -> HTTPResponse {
        if !(error is any HTTPResponseConvertible) { onError(error, request) }
        return ErrorRendering.response(for: error)
    }

    private func lookup(_ rawPath: String) -> (Entry, RouteParameters)? {
        if let entry = staticRoutes[rawPath] { return (entry, RouteParameters()) }
        let segments = RouteTemplate.split(rawPath)
        if rawPath.utf8.contains(UInt8(ascii: "%")) || rawPath.hasSuffix("/") {
            let decoded = segments.map { PercentDecoding.decode($0, plusAsSpace: false) ?? String($0) }
            if let entry = staticRoutes["/" + decoded.joined(separator: "/")] { return (entry, RouteParameters()) }
        }
        for entry in templatedRoutes {
            if let parameters = entry.template.match(segments) { return (entry, parameters) }
        }
        return nil
    }

    private static func allowHeader(_ methods: Dictionary<HTTPMethod, Registered>.Keys) -> String {
        var names = Set(methods.map(\.rawValue))
        if names.contains("GET") { names.insert("HEAD") }
        names.insert("OPTIONS")
        return names.sorted().joined(separator: ", ")
    }
}

/// Collects routes, then builds an immutable ``Router``.
package struct RouterBuilder {
    private var entries: [(RouteTemplate, HTTPMethod, RouteHandler, UInt32)] = []

    package init() {}

    /// Adds a handler answered on the loop thread; its result renders itself. `access` is handed
    /// to the gate with every request for this route.
    package mutating func on<Result: HTTPResponseConvertible>(
        _ method: HTTPMethod,
        _ template: String,
        access: UInt32 = 0,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters) throws -> Result
    ) {
        entries.append((RouteTemplate(template), method, .immediate({ try handler($0, $1).makeResponse() }), access))
    }

    /// Adds a handler that completes its promise from another thread.
    package mutating func onDeferred(
        _ method: HTTPMethod,
        _ template: String,
        access: UInt32 = 0,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters, HTTPResponsePromise) throws -> Void
    ) {
        entries.append((RouteTemplate(template), method, .deferred(handler), access))
    }

    /// Adds a handler that answers on the loop thread or returns a promise another thread keeps.
    package mutating func onEither(
        _ method: HTTPMethod,
        _ template: String,
        access: UInt32 = 0,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters) throws -> HTTPOutcome
    ) {
        entries.append((RouteTemplate(template), method, .either(handler), access))
    }

    package mutating func get<Result: HTTPResponseConvertible>(
        _ template: String,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters) throws -> Result
    ) {
        on(.get, template, handler)
    }

    package mutating func post<Result: HTTPResponseConvertible>(
        _ template: String,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters) throws -> Result
    ) {
        on(.post, template, handler)
    }

    /// The router; `onError` sees errors that do not render themselves (they become 500s).
    package func build(
        gate: Router.Gate? = nil,
        onError: @escaping @Sendable (any Error, HTTPRequest) -> Void = { _, _ in }
    ) -> Router {
        Router(entries: entries, gate: gate, onError: onError)
    }
}
