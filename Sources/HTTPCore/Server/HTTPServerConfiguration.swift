/// Everything the server needs to know, with production defaults.
package struct HTTPServerConfiguration: Sendable {
    /// Address to bind: `127.0.0.1`, `0.0.0.0`, `::` (IPv6 and IPv4), or a host name.
    package var host: String
    /// TCP port; 0 lets the kernel choose (tests), read it back from ``HTTPServer/port``.
    package var port: Int
    /// Event loop threads; 0 means one per online core.
    package var threads: Int
    /// The kernel's accept queue per listening socket.
    package var backlog: Int32
    /// Open connections at most; new connections beyond it are closed at once.
    package var maxConnections: Int
    package var limits: HTTPParserLimits
    /// Seconds a client has to send a complete request head, counted from its first byte
    /// (slowloris defence: trickling bytes does not extend it).
    package var headerReadTimeout: Double
    /// Seconds a client has to send a body once its head is complete.
    package var bodyReadTimeout: Double
    /// Seconds a keep-alive connection may sit idle between requests.
    package var idleTimeout: Double
    /// Seconds a client has to read a response before the connection is dropped.
    package var writeTimeout: Double
    /// Seconds a deferred answer may take; past it the client gets a 503 and the connection
    /// is closed (the late answer, if it comes, is dropped).
    package var responseTimeout: Double
    /// Seconds graceful shutdown waits for in-flight requests before closing what is left.
    package var drainTimeout: Double
    /// Whether responses are gzipped when the client accepts it.
    package var gzipEnabled: Bool
    /// Smallest body worth compressing.
    package var gzipMinimumBytes: Int
    /// zlib level, 1-9.
    package var gzipLevel: Int32
    /// TLS for every connection when set (the header-read timeout bounds the handshake, which
    /// counts as part of receiving the first request head).
    package var tls: TLSProvider?

    package init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        threads: Int = 0,
        backlog: Int32 = 1024,
        maxConnections: Int = 10_000,
        limits: HTTPParserLimits = HTTPParserLimits(),
        headerReadTimeout: Double = 10,
        bodyReadTimeout: Double = 30,
        idleTimeout: Double = 60,
        writeTimeout: Double = 30,
        responseTimeout: Double = 60,
        drainTimeout: Double = 10,
        gzipEnabled: Bool = true,
        gzipMinimumBytes: Int = 1024,
        gzipLevel: Int32 = 5
    ) {
        self.host = host
        self.port = port
        self.threads = threads
        self.backlog = backlog
        self.maxConnections = maxConnections
        self.limits = limits
        self.headerReadTimeout = headerReadTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.responseTimeout = responseTimeout
        self.drainTimeout = drainTimeout
        self.gzipEnabled = gzipEnabled
        self.gzipMinimumBytes = gzipMinimumBytes
        self.gzipLevel = gzipLevel
    }
}
