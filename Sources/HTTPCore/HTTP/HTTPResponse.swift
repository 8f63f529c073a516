/// A response before the server adds `Date`, `Content-Length`, `Connection` and compression.
package struct HTTPResponse: Sendable {
    package var status: HTTPStatus
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// The route template that produced it (`/users/{id}/events`), for metrics labels; never sent.
    package var route: String?
    /// A body produced as the client reads it, sent chunked instead of ``body``.
    package var stream: (any HTTPBodyStream)?

    package init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response from already-encoded bytes.
    package static func json(_ body: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// A plain-text response.
    package static func text(
        _ body: String,
        status: HTTPStatus = .ok,
        contentType: String = "text/plain; charset=utf-8"
    )
        -> HTTPResponse
    {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(body.utf8))
    }
}

/// A response body too large to build before sending (an export of every customer): the event
/// loop asks for the next piece whenever the connection's unsent output falls below its
/// high-water mark, so memory holds one window of it, however large it is and however slowly
/// the client reads.
package protocol HTTPBodyStream: Sendable {
    /// The next piece, or nil at the end. Called on the event loop thread: each call must be
    /// short (tens of KiB of output) and must not block.
    func next() -> [UInt8]?
}

/// Anything a handler may return or throw that knows its own HTTP form.
///
/// Errors that conform render themselves (status, problem+json); any other thrown error becomes a
/// 500 with nothing of it leaked to the client.
package protocol HTTPResponseConvertible: SendableMetatype {
    /// The response to send.
    func makeResponse() -> HTTPResponse
}

extension HTTPResponse: HTTPResponseConvertible {
    package func makeResponse() -> HTTPResponse { self }
}
