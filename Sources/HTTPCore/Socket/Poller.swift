import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// One epoll instance, owned by one event loop thread.
///
/// Level-triggered unless a mask includes ``edgeTriggered``: the server's connections are
/// edge-triggered (see ``EventLoop``), its listener and wake descriptor level-triggered.
package struct Poller: ~Copyable {
    package let fd: Int32
    private var events: UnsafeMutableBufferPointer<epoll_event>

    /// Readiness bits, as `epoll_event.events` holds them.
    package static let readable = UInt32(EPOLLIN.rawValue)
    package static let writable = UInt32(EPOLLOUT.rawValue)
    package static let peerClosed = UInt32(EPOLLRDHUP.rawValue)
    package static let hangUp = UInt32(EPOLLHUP.rawValue)
    package static let error = UInt32(EPOLLERR.rawValue)
    /// Report a descriptor when it becomes ready, not while it stays ready. Ready descriptors
    /// then come back in the order they became ready, which is what makes a busy loop serve its
    /// connections first come, first served.
    package static let edgeTriggered = UInt32(EPOLLET.rawValue)

    /// - Parameter capacity: how many events one `wait` can return.
    /// - Throws: ``SocketError`` from `epoll_create1`.
    package init(capacity: Int = 256) throws(SocketError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw .lastError("epoll_create1") }
        self.fd = fd
        events = .allocate(capacity: capacity)
    }

    deinit {
        events.deallocate()
        close(fd)
    }

    /// Starts watching `descriptor` for `mask`.
    /// - Throws: ``SocketError`` from `epoll_ctl`.
    package func add(_ descriptor: Int32, mask: UInt32) throws(SocketError) {
        try control(EPOLL_CTL_ADD, descriptor, mask)
    }

    /// Changes what `descriptor` is watched for.
    /// - Throws: ``SocketError`` from `epoll_ctl`.
    package func modify(_ descriptor: Int32, mask: UInt32) throws(SocketError) {
        try control(EPOLL_CTL_MOD, descriptor, mask)
    }

    /// Stops watching `descriptor`; closing a descriptor does this implicitly.
    package func remove(_ descriptor: Int32) {
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, descriptor, nil)
    }

    private func control(_ operation: Int32, _ descriptor: Int32, _ mask: UInt32) throws(SocketError) {
        var event = epoll_event()
        event.events = mask
        cartwise_epoll_event_set_fd(&event, descriptor)
        guard epoll_ctl(fd, operation, descriptor, &event) == 0 else { throw .lastError("epoll_ctl") }
    }

    /// Waits up to `timeoutMilliseconds` and calls `body(fd, events)` for each ready descriptor.
    /// - Returns: how many descriptors were ready (0 on timeout or on `EINTR`).
    @discardableResult
    package func wait(timeoutMilliseconds: Int32, _ body: (Int32, UInt32) -> Void) -> Int {
        let count = epoll_wait(fd, events.baseAddress, Int32(events.count), timeoutMilliseconds)
        guard count > 0 else { return 0 }
        for index in 0..<Int(count) {
            body(cartwise_epoll_event_fd(events.baseAddress! + index), events[index].events)
        }
        return Int(count)
    }
}
