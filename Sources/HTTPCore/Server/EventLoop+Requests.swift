import CLinux

#if canImport(Glibc)
import Glibc
#endif

extension EventLoop {
    // MARK: - Reading

    func handleEvents(_ connection: Connection, _ events: UInt32) {
        if events & Poller.writable != 0 {
            flush(connection)
            guard connections[Int(connection.fd)] === connection else { return }
            if connection.output.readableBytes < Self.outputHighWater { process(connection) }
        }
        if events & (Poller.readable | Poller.peerClosed | Poller.hangUp | Poller.error) != 0 {
            readAvailable(connection, untilEnd: events & (Poller.peerClosed | Poller.hangUp | Poller.error) != 0)
        }
    }

    /// Advances a TLS handshake; false when the connection cannot read application data yet
    /// (its interest is updated, or it was closed).
    private func handshakeIfNeeded(_ connection: Connection) -> Bool {
        guard let tls = connection.tls, !tls.isEstablished else { return true }
        switch tls.handshake() {
        case .done:
            return true
        case .wantRead, .wantWrite:
            updateInterest(connection)
            return false
        case .closed, .failed:
            closeConnection(connection)
            return false
        }
    }

    /// One read from the socket, through TLS when the connection has it: the byte count, 0 at
    /// the end of the stream, -1 with `errno` set (EAGAIN when it would block).
    private func receive(_ connection: Connection) -> Int {
        guard let tls = connection.tls else { return recv(connection.fd, scratch.baseAddress, scratch.count, 0) }
        switch tls.read(into: UnsafeMutableRawBufferPointer(scratch)) {
        case .bytes(let count): return count
        case .blocked(.closed): return 0
        case .blocked(.wantRead), .blocked(.wantWrite), .blocked(.done):
            errno = EAGAIN
            return -1
        case .blocked(.failed):
            errno = ECONNRESET
            return -1
        }
    }

    /// Reads what the socket holds. A short read means it is empty, unless the peer has closed:
    /// the end of the stream is not reported again by edge-triggered epoll, so then the loop
    /// reads on until `recv` says so (`untilEnd`).
    private func readAvailable(_ connection: Connection, untilEnd: Bool = false) {
        guard handshakeIfNeeded(connection) else { return }
        var received = 0
        while true {
            let count = receive(connection)
            if count > 0 {
                received += count
                if connection.phase == .lingering {
                    connection.lingeredBytes += count
                    if connection.lingeredBytes > 1 << 20 { break }
                    continue
                }
                connection.input.append(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
                // A short plain read drained the socket; OpenSSL returns one record at a time and may
                // hold more already decrypted, so TLS reads until it would block.
                if connection.tls == nil && count < scratch.count && !untilEnd { break }
                if connection.input.readableBytes > context.configuration.limits.bodyBytes {
                    connection.unreadInput = true
                    break
                }
                continue
            }
            if count == 0 {
                connection.readClosed = true
                break
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { break }
            context.observer.bytesTransferred(received: received, sent: 0)
            closeConnection(connection)
            return
        }
        if received > 0 { context.observer.bytesTransferred(received: received, sent: 0) }
        if connection.phase == .lingering {
            if connection.readClosed || connection.lingeredBytes > 1 << 20 { closeConnection(connection) }
            return
        }
        process(connection)
    }

    // MARK: - Processing

    /// Parses and answers as many buffered requests as the connection may take now, then
    /// sends, and updates the phase and the epoll interest.
    func process(_ connection: Connection) {
        pumpStream(connection)
        while connection.inFlight == nil && connection.stream == nil && !connection.closeAfterFlush
            && connection.output.readableBytes < Self.outputHighWater
        {
            let event: HTTPParser.Event
            do {
                event = try connection.parser.parse(&connection.input)
            } catch {
                queueError(error.makeResponse(), on: connection, linger: true)
                break
            }
            switch event {
            case .needMore:
                break
            case .continueExpected:
                connection.output.append(Self.continueLine)
                continue
            case .request(var request):
                request.peer = connection.peer
                dispatch(request, on: connection)
                continue
            }
            break
        }
        // A streamed body is paused too: what is left of it is produced as the output drains
        // (also when the connection closes after it, as a streamed answer to HTTP/1.0 does).
        connection.pausedForOutput =
            connection.stream != nil
            || (connection.inFlight == nil && !connection.closeAfterFlush
                && connection.output.readableBytes >= Self.outputHighWater)
        if connection.readClosed && connection.inFlight == nil && !connection.parser.isAtRequestBoundary {
            // The client stopped sending in the middle of a request: nothing more can come.
            connection.closeAfterFlush = true
        }
        // Answers are sent once the whole epoll batch is handled, not one by one. A client
        // waiting in epoll is woken by each send that reaches it; on a VM each wakeup of another
        // CPU is an interrupt through the hypervisor, which cost /rank's loop an eighth of its
        // time when 16 answers each woke wrk on its own.
        if !connection.output.isEmpty && connection.tls?.isEstablished != false {
            if !connection.flushQueued {
                connection.flushQueued = true
                pendingFlushes.append(connection)
            }
            return
        }
        finish(connection)
    }

    /// Sends what every connection answered in this batch, and what the requests they had
    /// buffered behind a full output buffer answer once it drained.
    func flushPending() {
        while !pendingFlushes.isEmpty {
            let batch = pendingFlushes
            pendingFlushes.removeAll(keepingCapacity: true)
            for connection in batch {
                connection.flushQueued = false
                guard connections[Int(connection.fd)] === connection else { continue }
                finish(connection)
            }
        }
    }

    /// Sends, then closes the connection or updates its phase and epoll interest.
    func finish(_ connection: Connection) {
        flush(connection)
        guard connections[Int(connection.fd)] === connection else { return }
        if connection.pausedForOutput && connection.output.readableBytes < Self.outputHighWater {
            // The rest of the pipeline is already in memory: answer it now (process queues the
            // connection for flushPending's next round, or finishes it itself).
            process(connection)
            return
        }
        if connection.readClosed && connection.inFlight == nil && connection.output.isEmpty {
            closeConnection(connection)
            return
        }
        updatePhase(connection)
        updateInterest(connection)
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    private static let lastChunk = Array("0\r\n\r\n".utf8)
    private static let crlf: [UInt8] = [13, 10]

    /// Appends the connection's streamed body while its unsent output is below the high-water
    /// mark; at the end of the stream, the last chunk (or, for HTTP/1.0, the close).
    private func pumpStream(_ connection: Connection) {
        guard let stream = connection.stream else { return }
        while connection.output.readableBytes < Self.outputHighWater {
            guard let piece = stream.next() else {
                connection.stream = nil
                if connection.streamChunked { connection.output.append(Self.lastChunk) }
                return
            }
            // An empty chunk would end the body.
            guard !piece.isEmpty else { continue }
            if connection.streamChunked {
                connection.output.append(String(piece.count, radix: 16))
                connection.output.append(Self.crlf)
                connection.output.append(piece)
                connection.output.append(Self.crlf)
            } else {
                connection.output.append(piece)
            }
        }
    }

    private func dispatch(_ incoming: HTTPRequest, on connection: Connection) {
        let start = MonotonicClock.nanoseconds()
        var request = incoming
        let context = ResponseContext(
            method: request.method,
            isHead: request.method == .head,
            acceptsGzip: ContentCoding.acceptsGzip(request.headers["Accept-Encoding"]),
            keepAlive: request.keepAlive && !isDraining,
            http10: request.version.minor == 0,
            startNanoseconds: start
        )
        if let coding = request.headers["Content-Encoding"] {
            do {
                try Self.decodeBody(&request, coding: coding, limit: self.context.configuration.limits.bodyBytes)
            } catch {
                write(error.makeResponse(), context: context, on: connection)
                return
            }
        }
        switch self.context.responder.respond(to: request) {
        case .response(let response):
            write(response, context: context, on: connection)
        case .deferred(let promise):
            connection.inFlight = context
            let handle = self.handle
            let fd = connection.fd
            let id = connection.id
            promise.whenComplete { response in
                handle.deliver(EventLoopHandle.Completion(fd: fd, connectionID: id, response: response))
            }
        }
    }

    /// Inflates a `Content-Encoding: gzip` body in place, within the body limit.
    private static func decodeBody(_ request: inout HTTPRequest, coding: String, limit: Int) throws(HTTPParseError) {
        let tokens = coding.headerTokens
        if tokens.isEmpty || tokens == ["identity"] { return }
        guard tokens == ["gzip"] || tokens == ["x-gzip"] else { throw .unsupportedContentEncoding(coding) }
        do {
            request.body = try Gzip.decompress(request.body, limit: limit)
        } catch .outputTooLarge {
            throw .bodyTooLarge(limit: limit)
        } catch {
            throw .invalidCompressedBody
        }
        request.headers.remove("Content-Encoding")
    }

    func deliverCompletions() {
        for completion in handle.takeCompletions() {
            guard Int(completion.fd) < connections.count, let connection = connections[Int(completion.fd)],
                connection.id == completion.connectionID, let context = connection.inFlight
            else { continue }
            connection.inFlight = nil
            write(completion.response, context: context, on: connection)
            process(connection)
        }
    }

    /// A deferred answer that did not come in time: the client hears so, and the connection is
    /// closed, because the promise may still complete and its answer must not reach a later
    /// request on the same connection. The handler's work may still finish (a risk decision
    /// may yet be audited), so the problem says the outcome is unknown.
    func answerLate(_ connection: Connection, after seconds: Double) {
        guard var context = connection.inFlight else { return }
        connection.inFlight = nil
        context.keepAlive = false
        var response = ProblemDetails(
            .serviceUnavailable,
            detail: "no answer within \(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) s; "
                + "the request may still complete: check its outcome or retry"
        ).makeResponse()
        response.headers.set("Retry-After", "1")
        write(response, context: context, on: connection)
        finish(connection)
    }

    private func write(_ response: HTTPResponse, context original: ResponseContext, on connection: Connection) {
        var context = original
        // A deferred answer may complete after shutdown began: it must close the connection too.
        if isDraining { context.keepAlive = false }
        let streams = response.stream != nil && response.status.allowsBody && !context.isHead
        // Without chunked coding (HTTP/1.0) only the close ends a streamed body.
        if streams && context.http10 { context.keepAlive = false }
        if connection.tls != nil && response.headers["Strict-Transport-Security"] == nil {
            // Over TLS, tell browsers-turned-clients to stay on HTTPS (HSTS, one year).
            var secured = response
            secured.headers.set("Strict-Transport-Security", "max-age=31536000")
            serializer.write(secured, context: context, into: &connection.output)
        } else {
            serializer.write(response, context: context, into: &connection.output)
        }
        if !context.keepAlive { connection.closeAfterFlush = true }
        if streams, let stream = response.stream {
            connection.stream = stream
            connection.streamChunked = !context.http10
        }
        let seconds = Double(MonotonicClock.nanoseconds() &- context.startNanoseconds) / 1e9
        self.context.observer.requestCompleted(
            method: context.method,
            route: response.route ?? (response.status.code == 404 ? "unmatched" : "other"),
            status: response.status.code,
            seconds: seconds
        )
    }

    /// Queues an error answer that ends the connection.
    func queueError(_ response: HTTPResponse, on connection: Connection, linger: Bool) {
        let context = ResponseContext(
            method: nil,
            isHead: false,
            acceptsGzip: false,
            keepAlive: false,
            http10: false,
            startNanoseconds: MonotonicClock.nanoseconds()
        )
        serializer.write(response, context: context, into: &connection.output)
        connection.closeAfterFlush = true
        connection.lingerBeforeClose = linger
        self.context.observer.requestCompleted(method: nil, route: "invalid", status: response.status.code, seconds: 0)
    }

    // MARK: - Writing

    /// Sends as much queued output as the socket takes; closes or lingers when done and asked to.
    func flush(_ connection: Connection) {
        if let tls = connection.tls, !tls.isEstablished {
            // Writable during a handshake: the handshake continues; reading resumes after it.
            if handshakeIfNeeded(connection) { readAvailable(connection) }
            return
        }
        var sent = 0
        while !connection.output.isEmpty {
            let count = connection.output.storage.withUnsafeBytes { raw in
                let pending = UnsafeRawBufferPointer(
                    start: raw.baseAddress! + connection.output.readerIndex,
                    count: connection.output.readableBytes
                )
                guard let tls = connection.tls else {
                    return send(connection.fd, pending.baseAddress, pending.count, Int32(MSG_NOSIGNAL))
                }
                switch tls.write(pending) {
                case .bytes(let count): return count
                case .blocked(.wantRead), .blocked(.wantWrite), .blocked(.done):
                    errno = EAGAIN
                    return -1
                case .blocked(.closed), .blocked(.failed):
                    errno = EPIPE
                    return -1
                }
            }
            if count > 0 {
                sent += count
                connection.output.consume(count)
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { break }
            context.observer.bytesTransferred(received: 0, sent: sent)
            closeConnection(connection)
            return
        }
        if sent > 0 { context.observer.bytesTransferred(received: 0, sent: sent) }
        guard connection.output.isEmpty, connection.closeAfterFlush, connection.stream == nil else { return }
        if connection.lingerBeforeClose && !connection.readClosed {
            shutdown(connection.fd, Int32(SHUT_WR))
            connection.input.removeAll()
            connection.enter(.lingering, now: MonotonicClock.milliseconds())
            updateInterest(connection)
        } else {
            closeConnection(connection)
        }
    }

    private func updatePhase(_ connection: Connection) {
        let now = MonotonicClock.milliseconds()
        if connection.phase == .lingering { return }
        if !connection.output.isEmpty {
            connection.enter(.writing, now: now)
        } else if connection.inFlight != nil {
            connection.enter(.responding, now: now)
        } else if connection.parser.isReadingBody {
            connection.enter(.body, now: now)
        } else if connection.input.isEmpty && connection.parser.isAtRequestBoundary {
            // A completed request restarts the idle clock even if the phase was already idle.
            connection.phase = .idle
            connection.phaseStartedAt = now
        } else {
            connection.enter(.head, now: now)
        }
    }

    func updateInterest(_ connection: Connection) {
        var mask: UInt32 = 0
        if let tls = connection.tls, !tls.isEstablished {
            mask = Poller.readable | Poller.peerClosed | (tls.wantsWrite ? Poller.writable : 0)
        } else if connection.tls?.wantsWrite == true {
            mask |= Poller.writable
        }
        // While a deferred answer is pending, read interest is left on until something
        // actually arrives: clients that wait for their answer then cost no epoll_ctl either
        // way, and one that pipelines is read once and then paused like before.
        let awaitingQuietly =
            connection.inFlight != nil && connection.input.isEmpty && !connection.closeAfterFlush
            && connection.interest & Poller.readable != 0
        let wantsInput =
            connection.phase == .lingering || awaitingQuietly
            || (connection.inFlight == nil && connection.stream == nil && !connection.closeAfterFlush
                && connection.output.readableBytes < Self.outputHighWater)
        if wantsInput && !connection.readClosed { mask |= Poller.readable | Poller.peerClosed }
        if !connection.output.isEmpty { mask |= Poller.writable }
        mask |= Poller.edgeTriggered
        let rearm = connection.unreadInput && mask & Poller.readable != 0
        guard mask != connection.interest || rearm else { return }
        connection.interest = mask
        connection.unreadInput = false
        do {
            try poller.modify(connection.fd, mask: mask)
        } catch {
            closeConnection(connection)
        }
    }
}
