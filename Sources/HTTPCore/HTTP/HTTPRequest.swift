/// A complete, validated request as the parser hands it to a responder.
package struct HTTPRequest: Sendable {
    package var method: HTTPMethod
    /// The request target exactly as sent (`/users/a%20b/events?limit=5`).
    package var target: String
    /// The path before any `?`, still percent-encoded; the router splits it before decoding so
    /// that `%2F` stays inside one segment.
    package var rawPath: String
    /// The percent-decoded path.
    package var path: String
    /// The percent-decoded query parameters in order (`+` decodes to a space).
    package var query: [(name: String, value: String)]
    /// `(1, 1)` or `(1, 0)`.
    package var version: (major: Int, minor: Int)
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// Whether the connection stays open after the answer, from the version and `Connection`.
    package var keepAlive: Bool
    /// The client's address, when the request came over a socket.
    package var peer: SocketAddress?
    /// Whether the client sent `Expect: 100-continue` (HTTP/1.1 only).
    package var expectsContinue = false

    package init(
        method: HTTPMethod,
        target: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        version: (major: Int, minor: Int) = (1, 1),
        keepAlive: Bool = true,
        peer: SocketAddress? = nil
    ) throws(HTTPParseError) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.version = version
        self.keepAlive = keepAlive
        self.peer = peer
        let split = try RequestTarget.split(target)
        rawPath = split.rawPath
        path = split.path
        query = split.query
    }

    /// The first value of query parameter `name`.
    package func queryValue(_ name: String) -> String? {
        for item in query where item.name == name {
            return item.value
        }
        return nil
    }
}
