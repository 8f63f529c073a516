import Synchronization

/// Rendered `GET /forecast` bodies, by series and query, for the snapshot they came from.
///
/// Dashboards poll the same few queries; rendering 18 periods of intervals costs more than the
/// rest of the request, so a body is rendered once per fit. Bounded: past `capacity` bodies the
/// cache starts over (a cheap, crude eviction that keeps memory flat).
final class RenderedForecasts: Sendable {
    private struct State {
        var entries: [String: [UInt8]] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    let capacityBytes: Int

    init(capacityBytes: Int = 64 << 20) {
        self.capacityBytes = capacityBytes
    }

    /// The cached body for `key`, or `render()`'s, remembered.
    func body(_ key: String, render: () -> [UInt8]) -> [UInt8] {
        if let hit = state.withLock({ $0.entries[key] }) { return hit }
        let body = render()
        state.withLock { state in
            if state.bytes + body.count > capacityBytes {
                state.entries.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            if state.entries.updateValue(body, forKey: key) == nil { state.bytes += body.count + key.utf8.count }
        }
        return body
    }
}
