import HTTPCore

/// Threads for concurrency tests (real threads, like the server's, not tasks).
enum NativeThreadForTests {
    static func spawn(_ body: @escaping @Sendable () -> Void) throws -> NativeThread {
        try NativeThread.spawn(name: "test-thread", body)
    }
}
