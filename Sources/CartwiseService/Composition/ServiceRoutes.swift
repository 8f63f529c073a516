package import HTTPCore

/// The route table features register on: every registration names its ``RouteAccess``, so the
/// scope a route needs is written next to its handler.
package struct ServiceRoutes {
    private var builder = RouterBuilder()

    package init() {}

    /// A handler answered on the loop thread; short work on snapshots only.
    package mutating func on<Result: HTTPResponseConvertible>(
        _ method: HTTPMethod,
        _ template: String,
        access: RouteAccess,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters) throws -> Result
    ) {
        builder.on(method, template, access: access.word, handler)
    }

    package mutating func get<Result: HTTPResponseConvertible>(
        _ template: String,
        access: RouteAccess,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters) throws -> Result
    ) {
        on(.get, template, access: access, handler)
    }

    package mutating func post<Result: HTTPResponseConvertible>(
        _ template: String,
        access: RouteAccess,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters) throws -> Result
    ) {
        on(.post, template, access: access, handler)
    }

    /// A handler whose promise another thread keeps.
    package mutating func onDeferred(
        _ method: HTTPMethod,
        _ template: String,
        access: RouteAccess,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters, HTTPResponsePromise) throws -> Void
    ) {
        builder.onDeferred(method, template, access: access.word, handler)
    }

    /// A handler that answers on the loop or defers.
    package mutating func onEither(
        _ method: HTTPMethod,
        _ template: String,
        access: RouteAccess,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters) throws -> HTTPOutcome
    ) {
        builder.onEither(method, template, access: access.word, handler)
    }

    /// A handler run on the blocking pool: for work that reads files, waits on a lock a trainer
    /// holds, or scans a dataset. The loop only parses the request and hands it over.
    package mutating func onBlocking<Result: HTTPResponseConvertible>(
        _ method: HTTPMethod,
        _ template: String,
        access: RouteAccess,
        pool: BlockingPool,
        _ handler: @escaping @Sendable (HTTPRequest, RouteParameters) throws -> Result
    ) {
        builder.onDeferred(method, template, access: access.word) { request, parameters, promise in
            pool.submit(promise) { try handler(request, parameters).makeResponse() }
        }
    }

    /// The router; `gate` sees each route's access word.
    package func build(
        gate: Router.Gate? = nil,
        onError: @escaping @Sendable (any Error, HTTPRequest) -> Void = { _, _ in }
    ) -> Router {
        builder.build(gate: gate, onError: onError)
    }
}
