package import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The HTTP/1.1 server: N epoll loops on N threads, each with its own `SO_REUSEPORT` listener.
///
/// ```swift
/// let server = try HTTPServer.start(configuration: .init(port: 0), responder: router)
/// print(server.port)
/// server.shutdown()   // from any thread: stop accepting, finish in-flight requests
/// server.wait()
/// ```
package final class HTTPServer: Sendable {
    package let configuration: HTTPServerConfiguration
    /// The bound address (with the kernel's port when 0 was asked for).
    package let address: SocketAddress
    private let handles: [EventLoopHandle]
    private let threads: [NativeThread]

    package var port: Int { address.port }

    private init(
        configuration: HTTPServerConfiguration,
        address: SocketAddress,
        handles: [EventLoopHandle],
        threads: [NativeThread]
    ) {
        self.configuration = configuration
        self.address = address
        self.handles = handles
        self.threads = threads
    }

    /// Binds and starts serving; returns once every loop is listening.
    /// - Parameters:
    ///   - configuration: address, threads, limits and timeouts.
    ///   - responder: answers requests on the loop threads.
    ///   - observer: receives connection and request events for metrics.
    ///   - logger: for accept failures and other server-level events.
    /// - Returns: the running server.
    /// - Throws: ``SocketError`` when the address cannot be resolved or bound.
    package static func start(
        configuration: HTTPServerConfiguration,
        responder: any HTTPResponder,
        observer: any HTTPServerObserver = NoObserver(),
        logger: Logger = Logger(label: "cartwise.http")
    ) throws(SocketError) -> HTTPServer {
        // A write to a socket whose peer has gone must fail with EPIPE, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let requested = try SocketAddress.resolve(host: configuration.host, port: configuration.port)
        let count = configuration.threads > 0 ? configuration.threads : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        var listeners: [Int32] = []
        do throws(SocketError) {
            let first = try Socket.listen(on: requested, backlog: configuration.backlog)
            listeners.append(first)
            let bound = try Socket.localAddress(of: first)
            for _ in 1..<count {
                listeners.append(try Socket.listen(on: bound.withPort(bound.port), backlog: configuration.backlog))
            }
            let context = ServerContext(
                configuration: configuration,
                responder: responder,
                observer: observer,
                counter: ConnectionCounter(),
                logger: logger
            )
            var handles: [EventLoopHandle] = []
            var threads: [NativeThread] = []
            for (index, listener) in listeners.enumerated() {
                let handle = try EventLoopHandle()
                handles.append(handle)
                threads.append(
                    try NativeThread.spawn(name: "http-loop-\(index)") {
                        do {
                            try EventLoop(context: context, handle: handle, listener: listener).run()
                        } catch {
                            logger.critical("event loop could not start", metadata: ["error": "\(error)"])
                            close(listener)
                        }
                    }
                )
            }
            return HTTPServer(configuration: configuration, address: bound, handles: handles, threads: threads)
        } catch {
            for listener in listeners { close(listener) }
            throw error
        }
    }

    /// Starts a graceful shutdown: stop accepting, answer what is in flight with
    /// `Connection: close`, close idle connections, and give up after the drain timeout.
    /// Safe from any thread, including a signal-waiting one.
    package func shutdown() {
        for handle in handles { handle.requestStop() }
    }

    /// Blocks until every loop has stopped.
    package func wait() {
        for thread in threads { thread.join() }
    }
}

extension SocketAddress {
    /// The same address with another port.
    package func withPort(_ port: Int) -> SocketAddress {
        var copy = self
        withUnsafeMutableBytes(of: &copy.storage) { raw in
            raw.storeBytes(of: UInt16(port).bigEndian, toByteOffset: 2, as: UInt16.self)
        }
        return copy
    }
}
