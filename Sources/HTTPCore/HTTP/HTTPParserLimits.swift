/// The hard limits of the request parser. Each one answers with its own status so a client can
/// tell which limit it crossed.
package struct HTTPParserLimits: Sendable, Equatable {
    /// Longest request line (`GET /... HTTP/1.1`) before 414.
    package var requestLineBytes: Int
    /// Largest header section (all field lines, and chunked trailers) before 431.
    package var headerBytes: Int
    /// Most header fields before 431.
    package var headerFields: Int
    /// Largest body (after de-chunking; also the cap on a decompressed gzip body) before 413.
    package var bodyBytes: Int

    package init(
        requestLineBytes: Int = 8192,
        headerBytes: Int = 16384,
        headerFields: Int = 100,
        bodyBytes: Int = 8 << 20
    ) {
        self.requestLineBytes = requestLineBytes
        self.headerBytes = headerBytes
        self.headerFields = headerFields
        self.bodyBytes = bodyBytes
    }
}
