import Logging

#if canImport(Glibc)
import Glibc
#endif

/// What every loop of one server shares. Immutable.
struct ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let observer: any HTTPServerObserver
    let counter: ConnectionCounter
    let logger: Logger
}

/// One thread's epoll loop: accepts on its own `SO_REUSEPORT` listener, owns its connections,
/// runs handlers inline, and delivers deferred responses posted through its ``EventLoopHandle``.
///
/// Connections are edge-triggered, and each event reads until the socket is empty. With
/// level-triggered epoll a busy loop served connections unfairly: the descriptors of the last
/// batch were reported again first, so a client whose request landed just after a wait lost
/// its turn to those served before it, twice or three times in a row (p99 at 3x the median
/// at `-c 16`, in steps of one batch). Reported when they become ready, the connections are
/// served first come, first served.
///
/// Everything here is confined to the loop thread; only ``handle`` is shared.
final class EventLoop {
    let context: ServerContext
    let handle: EventLoopHandle
    let poller: Poller
    private var listener: Int32?
    var connections: [Connection?] = []
    private var nextConnectionID: UInt64 = 0
    var serializer: ResponseSerializer
    let scratch: UnsafeMutableRawBufferPointer
    private var draining = false
    private var drainDeadline: Int64 = .max
    private var acceptPausedUntil: Int64?
    private var listenerReady = false
    /// Connections answered during the current epoll batch, sent together once it is handled
    /// (see ``EventLoop/process(_:)``).
    var pendingFlushes: [Connection] = []

    /// Input bytes read per event before moving on to other connections.
    static let readChunk = 64 * 1024
    /// Output bytes queued before a connection stops taking pipelined requests.
    static let outputHighWater = 256 * 1024
    /// How often deadlines are checked.
    static let sweepMilliseconds: Int64 = 100

    init(context: ServerContext, handle: EventLoopHandle, listener: Int32) throws(SocketError) {
        self.context = context
        self.handle = handle
        self.listener = listener
        poller = try Poller()
        serializer = ResponseSerializer(configuration: context.configuration)
        scratch = .allocate(byteCount: Self.readChunk, alignment: 16)
        try poller.add(listener, mask: Poller.readable)
        try poller.add(handle.wakeFD, mask: Poller.readable)
    }

    deinit {
        scratch.deallocate()
    }

    /// Runs until a stop request has drained every connection (or the drain timeout passed).
    func run() {
        var nextSweep = MonotonicClock.milliseconds() + Self.sweepMilliseconds
        while true {
            poller.wait(timeoutMilliseconds: Int32(Self.sweepMilliseconds)) { fd, events in
                if fd == listener {
                    listenerReady = true
                } else if fd == handle.wakeFD {
                    deliverCompletions()
                } else if fd >= 0, Int(fd) < connections.count, let connection = connections[Int(fd)] {
                    handleEvents(connection, events)
                }
            }
            flushPending()
            // Accept after the batch and its sends: a descriptor closed above may be reused by
            // accept, and neither the batch's events nor its answers may reach the new connection.
            if listenerReady {
                listenerReady = false
                acceptConnections()
            }
            if !draining && handle.isStopRequested { beginDrain() }
            let now = MonotonicClock.milliseconds()
            if now >= nextSweep {
                sweep(now: now)
                nextSweep = now + Self.sweepMilliseconds
            }
            if draining {
                let open = connections.contains { $0 != nil }
                if !open || now >= drainDeadline {
                    for case let connection? in connections { closeConnection(connection) }
                    return
                }
            }
        }
    }

    // MARK: - Accepting

    private func acceptConnections() {
        guard let listener else { return }
        for _ in 0..<128 {
            switch Socket.accept(listener) {
            case .accepted(let fd, let peer):
                guard let open = context.counter.acquire(limit: context.configuration.maxConnections) else {
                    close(fd)
                    continue
                }
                try? Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
                nextConnectionID &+= 1
                let mask = Poller.readable | Poller.peerClosed | Poller.edgeTriggered
                let connection = Connection(
                    fd: fd,
                    id: nextConnectionID,
                    peer: peer,
                    limits: context.configuration.limits,
                    now: MonotonicClock.milliseconds(),
                    interest: mask
                )
                if let tls = context.configuration.tls {
                    guard let session = TLSSession(context: tls.context, fd: fd) else {
                        close(fd)
                        _ = context.counter.release()
                        continue
                    }
                    connection.tls = session
                }
                if Int(fd) >= connections.count {
                    connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count + 64))
                }
                connections[Int(fd)] = connection
                do {
                    try poller.add(fd, mask: mask)
                } catch {
                    context.logger.warning("cannot watch connection", metadata: ["error": "\(error)"])
                    closeConnection(connection)
                    continue
                }
                context.observer.connectionOpened(open: open)
            case .wouldBlock:
                return
            case .failed(let code):
                if code == EINTR || code == ECONNABORTED || code == EPROTO { continue }
                // Out of descriptors or memory: stop polling the listener for a moment rather than
                // spinning on a level-triggered event that cannot be served.
                context.logger.error(
                    "accept failed; pausing accepts for 100 ms",
                    metadata: ["error": "\(SocketError.systemCall(call: "accept4", errno: code))"]
                )
                poller.remove(listener)
                acceptPausedUntil = MonotonicClock.milliseconds() + 100
                return
            }
        }
    }

    // MARK: - Timeouts, draining, closing

    private func sweep(now: Int64) {
        if let until = acceptPausedUntil, now >= until, let listener, !draining {
            acceptPausedUntil = nil
            try? poller.add(listener, mask: Poller.readable)
        }
        let configuration = context.configuration
        for case let connection? in connections {
            let limit: Double
            switch connection.phase {
            case .idle: limit = configuration.idleTimeout
            case .head: limit = configuration.headerReadTimeout
            case .body: limit = configuration.bodyReadTimeout
            case .writing: limit = configuration.writeTimeout
            case .lingering: limit = 2
            case .responding: limit = configuration.responseTimeout
            }
            guard now - connection.phaseStartedAt >= Int64(limit * 1000) else { continue }
            if connection.phase == .responding {
                answerLate(connection, after: limit)
            } else if connection.phase == .head || connection.phase == .body, !connection.input.isEmpty {
                // The client is sending too slowly: tell it why before closing.
                let problem = ProblemDetails(
                    .requestTimeout,
                    detail: "the request was not received within \(Int(limit)) s"
                )
                queueError(problem.makeResponse(), on: connection, linger: false)
                flush(connection)
                if connections[Int(connection.fd)] === connection { closeConnection(connection) }
            } else {
                closeConnection(connection)
            }
        }
    }

    private func beginDrain() {
        draining = true
        drainDeadline = MonotonicClock.milliseconds() + Int64(context.configuration.drainTimeout * 1000)
        if let listener {
            poller.remove(listener)
            close(listener)
            self.listener = nil
        }
        for case let connection? in connections where connection.isQuiescent {
            closeConnection(connection)
        }
    }

    /// Whether new responses should ask the client to close (graceful shutdown in progress).
    var isDraining: Bool { draining }

    func closeConnection(_ connection: Connection) {
        guard connections[Int(connection.fd)] === connection else { return }
        connections[Int(connection.fd)] = nil
        poller.remove(connection.fd)
        connection.tls?.shutdown()
        connection.tls = nil
        close(connection.fd)
        context.observer.connectionClosed(open: context.counter.release())
    }
}
