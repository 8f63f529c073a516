import Synchronization

/// Rendered `GET /forecast` bodies, by series and query, for the snapshot they came from.
///
/// Dashboards poll the same few queries; rendering 18 periods of intervals costs more than the
/// rest of the request, so a body is rendered once per fit. Bounded: past `capacity` bodies the
/// cache starts over (a cheap, crude eviction that keeps memory flat).
final class RenderedForecasts: Sendable {
    private struct State {
        var entries: [String: (tag: String, body: [UInt8])] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    let capacityBytes: Int

    init(capacityBytes: Int = 64 << 20) {
        self.capacityBytes = capacityBytes
    }

    /// The cached tag and body for `key`, or `render()`'s, remembered.
    /// - Throws: what `render` throws (nothing is cached then).
    func body(_ key: String, render: () throws -> (tag: String, body: [UInt8])) rethrows -> (tag: String, body: [UInt8])
    {
        if let hit = state.withLock({ $0.entries[key] }) { return hit }
        let rendered = try render()
        state.withLock { state in
            let size = rendered.body.count + rendered.tag.utf8.count + key.utf8.count
            if state.bytes + size > capacityBytes {
                state.entries.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            if state.entries.updateValue(rendered, forKey: key) == nil { state.bytes += size }
        }
        return rendered
    }
}
