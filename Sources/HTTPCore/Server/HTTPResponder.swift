/// Turns a request into a response. Called on an event loop thread: it must return quickly
/// (well under a millisecond) and hand anything slower to another thread with ``HTTPOutcome/deferred(_:)``.
package protocol HTTPResponder: Sendable {
    /// Answers `request` now, or promises to answer it from another thread.
    func respond(to request: HTTPRequest) -> HTTPOutcome
}

/// What a responder produced.
package enum HTTPOutcome: Sendable {
    /// The response is ready.
    case response(HTTPResponse)
    /// Another thread completes the promise; the connection waits, and answers pipelined
    /// requests after it in order.
    case deferred(HTTPResponsePromise)
}

/// Receives what the server does, for metrics. Called on loop threads: keep it cheap.
package protocol HTTPServerObserver: Sendable {
    /// A connection was accepted (`open` is the count after it).
    func connectionOpened(open: Int)
    /// A connection was closed (`open` is the count after it).
    func connectionClosed(open: Int)
    /// A response was queued for sending.
    /// - Parameters:
    ///   - method: the request's method, or nil for a request that did not parse.
    ///   - route: the route template, `unmatched` or `invalid`.
    ///   - status: the status code.
    ///   - seconds: from a complete request to a serialized response.
    func requestCompleted(method: HTTPMethod?, route: String, status: Int, seconds: Double)
    /// Bytes read from or written to sockets.
    func bytesTransferred(received: Int, sent: Int)
}

/// An observer that ignores everything.
package struct NoObserver: HTTPServerObserver {
    package init() {}
    package func connectionOpened(open: Int) {}
    package func connectionClosed(open: Int) {}
    package func requestCompleted(method: HTTPMethod?, route: String, status: Int, seconds: Double) {}
    package func bytesTransferred(received: Int, sent: Int) {}
}
