import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over one TCP connection.
///
/// For the container health check (the runtime image has no curl), tools, and tests that need
/// byte-level control (pipelining, partial heads, smuggling attempts). Not for production calls.
package final class BlockingHTTPClient {
    /// A parsed response.
    package struct Response: Sendable {
        package var status: Int
        package var headers: HTTPHeaders
        package var body: [UInt8]
        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Why a read failed.
    package enum ClientError: Error, Equatable, CustomStringConvertible {
        case closed
        case timedOut
        case malformed(String)
        case socket(SocketError)

        package var description: String {
            switch self {
            case .closed: return "connection closed by the server"
            case .timedOut: return "timed out waiting for the server"
            case .malformed(let what): return "malformed response: \(what)"
            case .socket(let error): return error.description
            }
        }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `host:port`, with `timeout` seconds for every read and write.
    /// - Throws: ``ClientError/socket(_:)``.
    package init(host: String = "127.0.0.1", port: Int, timeout: Double = 5) throws(ClientError) {
        let address: SocketAddress
        do {
            address = try SocketAddress.resolve(host: host, port: port)
        } catch {
            throw .socket(error)
        }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socket(.lastError("socket")) }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var storage = address.storage
        let status = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, address.length) }
        }
        guard status == 0 else {
            let error = SocketError.lastError("connect")
            close(fd)
            throw .socket(error)
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    /// Sends raw bytes.
    /// - Throws: ``ClientError/socket(_:)`` or ``ClientError/closed``.
    package func send(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET { throw .closed }
                throw .socket(.lastError("send"))
            }
            offset += count
        }
    }

    /// Sends raw bytes from another thread while this one reads the answers: a client that
    /// pipelines more than the socket buffers hold must read while it writes. The thread only
    /// touches the descriptor, which outlives it as long as the caller joins it before `deinit`.
    /// - Throws: ``ClientError/socket(_:)`` when the thread cannot start.
    package func sendInBackground(_ bytes: [UInt8]) throws(ClientError) -> NativeThread {
        let fd = self.fd
        do throws(SocketError) {
            return try NativeThread.spawn(name: "client-send") {
                var offset = 0
                while offset < bytes.count {
                    let count = bytes.withUnsafeBytes { raw in
                        Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    }
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { return }
                    offset += count
                }
            }
        } catch {
            throw .socket(error)
        }
    }

    /// Sends text as UTF-8.
    package func send(_ text: String) throws(ClientError) {
        try send(Array(text.utf8))
    }

    /// Sends one request with `Host` and, for a body, `Content-Length`.
    package func request(
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = []
    ) throws(ClientError) -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + body)
        return try readResponse(bodyExpected: method != "HEAD")
    }

    /// Reads one response (skipping `100 Continue` unless `keepInterim`).
    /// - Parameters:
    ///   - bodyExpected: false for answers to HEAD.
    ///   - keepInterim: return a 1xx response instead of skipping it.
    /// - Returns: the status, headers and body.
    /// - Throws: ``ClientError``.
    package func readResponse(bodyExpected: Bool = true, keepInterim: Bool = false) throws(ClientError) -> Response {
        while true {
            let headEnd = try fill(until: { $0.firstRange(of: [13, 10, 13, 10]).map(\.upperBound) })
            let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
            buffer.removeFirst(headEnd)
            var lines = head.split(separator: "\r\n", omittingEmptySubsequences: true)
            guard !lines.isEmpty else { throw .malformed("empty head") }
            let statusLine = lines.removeFirst()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                throw .malformed(String(statusLine))
            }
            var headers = HTTPHeaders()
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { throw .malformed(String(line)) }
                headers.add(String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
            }
            if status < 200 {
                if keepInterim { return Response(status: status, headers: headers, body: []) }
                continue
            }
            var body: [UInt8] = []
            if bodyExpected && status != 204 && status != 304 {
                if let length = headers["Content-Length"].flatMap({ Int($0) }) {
                    _ = try fill(until: { $0.count >= length ? length : nil })
                    body = Array(buffer[0..<length])
                    buffer.removeFirst(length)
                } else if headers["Transfer-Encoding"]?.lowercased() == "chunked" {
                    body = try readChunked()
                } else {
                    body = try readToEnd()
                }
            }
            return Response(status: status, headers: headers, body: body)
        }
    }

    /// Whether the server has closed the connection (waits up to the read timeout).
    package func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        if count == 0 { return true }
        if count < 0 { return errno == ECONNRESET }
        buffer.append(byte)
        return false
    }

    /// Half-closes the connection: the server sees end of input.
    package func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// A chunked body: sizes in hex, extensions ignored, trailer fields dropped.
    private func readChunked() throws(ClientError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try fill(until: { $0.firstRange(of: [13, 10]).map(\.upperBound) })
            let line = String(decoding: buffer[0..<lineEnd - 2], as: UTF8.self)
            buffer.removeFirst(lineEnd)
            let digits = line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(digits.filter { $0 != " " }, radix: 16), size >= 0 else {
                throw .malformed("chunk size '\(line)'")
            }
            if size == 0 {
                // Trailer fields up to the empty line.
                while true {
                    let end = try fill(until: { $0.firstRange(of: [13, 10]).map(\.upperBound) })
                    buffer.removeFirst(end)
                    if end == 2 { return body }
                }
            }
            _ = try fill(until: { $0.count >= size + 2 ? size + 2 : nil })
            body += buffer[0..<size]
            buffer.removeFirst(size + 2)
        }
    }

    private func readToEnd() throws(ClientError) -> [UInt8] {
        while try readMore() {}
        defer { buffer.removeAll() }
        return buffer
    }

    private func fill(until found: ([UInt8]) -> Int?) throws(ClientError) -> Int {
        while true {
            if let index = found(buffer) { return index }
            guard try readMore() else { throw .closed }
        }
    }

    /// - Returns: false at end of stream.
    private func readMore() throws(ClientError) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        if count == 0 { return false }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut }
        if errno == ECONNRESET { return false }
        throw .socket(.lastError("recv"))
    }
}
