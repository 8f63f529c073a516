package import HTTPCore
import Synchronization

/// Who is calling, for the features that record who changed what (the risk rules and lists):
/// the name of the request's API key. The access control is built after the features register
/// their routes, so it is handed over here once it exists.
package final class Callers: Sendable {
    private let access = Mutex<AccessControl?>(nil)

    package init() {}

    func set(_ control: AccessControl) { access.withLock { $0 = control } }

    /// The key's name; `anonymous` when the request has none (authentication off).
    package func name(of request: HTTPRequest) -> String {
        access.withLock { $0 }?.keyName(of: request) ?? "anonymous"
    }
}
