import HTTPCore
import Synchronization

/// Sections other features add to `GET /customers/{id}` (the campaign feature's expected
/// uplift), without the customer feature knowing them.
package final class CustomerSections: Sendable {
    /// Given a customer id, a member name and its JSON value, or nil to add nothing.
    package typealias Section = @Sendable (String) -> (name: String, json: [UInt8])?

    private let sections = Mutex<[Section]>([])

    package init() {}

    package func add(_ section: @escaping Section) { sections.withLock { $0.append(section) } }

    /// Appends every section's member to a JSON object that `body` closes.
    package func extend(_ body: inout [UInt8], customer: String) {
        let all = sections.withLock { $0 }
        for section in all {
            guard let (name, json) = section(customer), body.last == UInt8(ascii: "}") else { continue }
            body.removeLast()
            body += ",".utf8
            JSONString.append(name, to: &body)
            body += ":".utf8
            body += json
            body += "}".utf8
        }
    }
}
