import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the socket calls the server makes, each turning `-1` into ``SocketError``.
///
/// File descriptors are plain `Int32` here because the event loop owns every connection and
/// closes it exactly once; an owning class per descriptor would add an allocation per connection.
package enum Socket {
    /// Opens a non-blocking listening socket bound to `address`.
    ///
    /// `SO_REUSEPORT` lets every event loop bind its own socket to the same port, so the kernel
    /// spreads new connections over the loops without a shared accept lock.
    /// - Parameters:
    ///   - address: where to listen; an IPv6 wildcard also accepts IPv4 (dual stack).
    ///   - backlog: the kernel's queue of connections not yet accepted.
    /// - Returns: the listening descriptor.
    /// - Throws: ``SocketError`` from `socket`, `setsockopt`, `bind` or `listen`.
    package static func listen(on address: SocketAddress, backlog: Int32) throws(SocketError) -> Int32 {
        let fd = socket(
            address.family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
            0
        )
        guard fd >= 0 else { throw .lastError("socket") }
        do throws(SocketError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1)
            if address.family == AF_INET6 {
                try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0)
            }
            var storage = address.storage
            let bound = withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
            }
            guard bound == 0 else { throw SocketError.lastError("bind \(address)") }
            guard Glibc.listen(fd, backlog) == 0 else { throw SocketError.lastError("listen") }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Sets an integer socket option.
    /// - Throws: ``SocketError`` from `setsockopt`.
    package static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .lastError("setsockopt(\(name))")
        }
    }

    /// The address a socket is bound to; used to learn the port the kernel chose for port 0.
    /// - Throws: ``SocketError`` from `getsockname`.
    package static func localAddress(of fd: Int32) throws(SocketError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { throw .lastError("getsockname") }
        return SocketAddress(storage: storage, length: length)
    }

    /// The result of one non-blocking `accept4`.
    package enum AcceptResult {
        case accepted(fd: Int32, peer: SocketAddress)
        case wouldBlock
        case failed(errno: Int32)
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec descriptor.
    package static func accept(_ listener: Int32) -> AcceptResult {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                cartwise_accept4(listener, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            }
        }
        if fd >= 0 { return .accepted(fd: fd, peer: SocketAddress(storage: storage, length: length)) }
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
        return .failed(errno: code)
    }
}
