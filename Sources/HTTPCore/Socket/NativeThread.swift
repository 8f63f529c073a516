import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// A joinable POSIX thread running a Swift closure.
///
/// The event loops and the trainer need real threads with names and a stable identity, not tasks on
/// a cooperative pool: a loop blocks in `epoll_wait` and must never hold a pool thread.
package struct NativeThread: Sendable {
    private let handle: pthread_t

    private final class Box {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts `body` on a new thread named `name` (at most 15 bytes are kept by the kernel).
    /// - Throws: ``SocketError`` when `pthread_create` fails.
    package static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws(SocketError) -> NativeThread
    {
        let context = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(
            &handle,
            nil,
            { raw in
                guard let raw else { return nil }
                let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
                _ = cartwise_set_thread_name(String(box.name.utf8.prefix(15))!)
                box.body()
                return nil
            },
            context
        )
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw .systemCall(call: "pthread_create", errno: status)
        }
        return NativeThread(handle: handle)
    }

    /// Starts `body` on a detached thread, for work nobody waits for.
    /// - Throws: ``SocketError`` when `pthread_create` fails.
    package static func detached(name: String, _ body: @escaping @Sendable () -> Void) throws(SocketError) {
        let thread = try spawn(name: name, body)
        pthread_detach(thread.handle)
    }

    /// Blocks until the thread's closure has returned.
    package func join() {
        _ = pthread_join(handle, nil)
    }
}
