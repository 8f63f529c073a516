import HTTPCore
import Synchronization

/// Holds a response delivered from another thread.
final class ResponseBox: Sendable {
    private let value = Mutex<HTTPResponse?>(nil)
    func set(_ response: HTTPResponse) { value.withLock { $0 = response } }
    func get() -> HTTPResponse? { value.withLock { $0 } }
}
