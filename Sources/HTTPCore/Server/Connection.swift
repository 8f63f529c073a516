/// One client connection's state. Owned by one event loop thread and touched by no other.
final class Connection {
    /// What the connection is waiting for; each phase has its own timeout.
    enum Phase {
        /// Between requests (keep-alive idle timeout).
        case idle
        /// Some of a request head has arrived, or a new connection has sent nothing yet
        /// (header-read timeout, counted from the phase's start).
        case head
        /// The head is complete and the body is arriving (body-read timeout).
        case body
        /// A deferred response is being computed elsewhere (no timeout here).
        case responding
        /// A response is waiting for the client to read it (write timeout).
        case writing
        /// After an error answer: discarding input until the client closes (bounded).
        case lingering
    }

    let fd: Int32
    let id: UInt64
    let peer: SocketAddress
    var input = ByteBuffer()
    var output = ByteBuffer()
    var parser: HTTPParser
    /// The request whose deferred response is outstanding.
    var inFlight: ResponseContext?
    /// A streamed body still being produced; no further request is parsed until it ends.
    var stream: (any HTTPBodyStream)?
    /// Whether its pieces go out as chunks (HTTP/1.1) or raw until the connection closes (1.0).
    var streamChunked = true
    /// Close once `output` is sent.
    var closeAfterFlush = false
    /// After `closeAfterFlush`, half-close and discard input first, so the client sees the error
    /// answer instead of a reset caused by its unread request bytes.
    var lingerBeforeClose = false
    /// The client shut down its sending side.
    var readClosed = false
    var phase: Phase = .head
    var phaseStartedAt: Int64
    var lingeredBytes = 0
    /// The epoll mask currently registered (edge-triggered).
    var interest: UInt32
    /// The last read stopped before the socket was empty (a limit was reached): with
    /// edge-triggered epoll no new event comes for bytes already there, so the next interest
    /// update re-arms the descriptor, which reports it again if it is still readable.
    var unreadInput = false
    /// TLS over the socket, when the server has a certificate.
    var tls: TLSSession?
    /// Answered in this epoll batch and waiting in ``EventLoop/pendingFlushes`` to be sent.
    var flushQueued = false
    /// Processing stopped at the output high-water mark with requests possibly still buffered:
    /// once the output drains they must be parsed without waiting for the socket, because
    /// edge-triggered epoll reports nothing new for bytes already read.
    var pausedForOutput = false

    init(fd: Int32, id: UInt64, peer: SocketAddress, limits: HTTPParserLimits, now: Int64, interest: UInt32) {
        self.fd = fd
        self.id = id
        self.peer = peer
        parser = HTTPParser(limits: limits)
        phaseStartedAt = now
        self.interest = interest
    }

    /// Nothing is in progress: closing now loses nothing.
    var isQuiescent: Bool {
        inFlight == nil && stream == nil && output.isEmpty && input.isEmpty && parser.isAtRequestBoundary
    }

    /// Moves to `next`, restarting the phase clock only on a real change.
    func enter(_ next: Phase, now: Int64) {
        if next != phase {
            phase = next
            phaseStartedAt = now
        }
    }
}
