import Synchronization

/// What the service keeps in memory about events and the catalog, fed after each durable write
/// and by the replay at start-up.
///
/// Memory is bounded per user: the latest ``recentPerUser`` events (by timestamp) as 32-byte
/// ``RecentEvent``s that point back into the log for their full content. Item and user ids are
/// interned once. Everything else about an event stays on disk. See `docs/storage.md` for the sums.
package final class EventStore: Sendable {
    /// A compact record of one event: enough to recommend from, and where to read the rest.
    package struct RecentEvent: Sendable, Equatable {
        package var timestamp: Int64
        package var item: Int32
        package var value: Float
        package var type: EventType
        package var segment: UInt32
        package var offset: UInt32
        package var index: UInt32
    }

    /// Counts for `/readyz`, metrics and docs.
    package struct Stats: Sendable, Equatable {
        package var events = 0
        package var users = 0
        package var items = 0
        package var catalogItems = 0
        package var byType: [String: Int] = [:]
    }

    private struct UserHistory {
        var recent: [RecentEvent] = []
        var total = 0
    }

    private struct State {
        var users: [String: UserHistory] = [:]
        var itemIndex: [String: Int32] = [:]
        var itemNames: [String] = []
        var catalog: [String: Item] = [:]
        var events = 0
        var byType = [Int](repeating: 0, count: 8)
    }

    package let recentPerUser: Int
    private let state = Mutex(State())

    package init(recentPerUser: Int) {
        self.recentPerUser = recentPerUser
    }

    /// Adds a durable batch of events stored at `location`.
    package func apply(events: [Event], at location: RecordLog.Location) {
        state.withLock { state in
            for (index, event) in events.enumerated() {
                let item: Int32
                if let known = state.itemIndex[event.item] {
                    item = known
                } else {
                    item = Int32(state.itemNames.count)
                    state.itemIndex[event.item] = item
                    state.itemNames.append(event.item)
                }
                let recent = RecentEvent(
                    timestamp: event.timestamp,
                    item: item,
                    value: Float(event.value),
                    type: event.type,
                    segment: location.segment,
                    offset: location.offset,
                    index: UInt32(index)
                )
                insert(recent, for: event.user, into: &state.users)
                state.events += 1
                state.byType[Int(event.type.rawValue)] += 1
            }
        }
    }

    /// Keeps the history sorted by timestamp and at most `recentPerUser` long (oldest dropped).
    private func insert(_ recent: RecentEvent, for user: String, into users: inout [String: UserHistory]) {
        Self.insert(recent, limit: recentPerUser, into: &users[user, default: UserHistory()])
    }

    private static func insert(_ recent: RecentEvent, limit: Int, into history: inout UserHistory) {
        history.total += 1
        if history.recent.count >= limit && recent.timestamp < history.recent[0].timestamp { return }
        var position = history.recent.count
        while position > 0 && history.recent[position - 1].timestamp > recent.timestamp { position -= 1 }
        history.recent.insert(recent, at: position)
        if history.recent.count > limit { history.recent.removeFirst() }
    }

    /// Upserts catalog items (last write wins).
    package func apply(items: [Item]) {
        state.withLock { state in
            for item in items { state.catalog[item.id] = item }
        }
    }

    /// The user's latest events, newest first, or nil for a user never seen.
    package func recentEvents(user: String, limit: Int) -> (events: [RecentEvent], total: Int)? {
        state.withLock { state in
            guard let history = state.users[user] else { return nil }
            return (Array(history.recent.reversed().prefix(limit)), history.total)
        }
    }

    /// The item id for an interned index.
    package func itemName(_ index: Int32) -> String? {
        state.withLock { state in Int(index) < state.itemNames.count ? state.itemNames[Int(index)] : nil }
    }

    package func item(_ id: String) -> Item? {
        state.withLock { $0.catalog[id] }
    }

    package var stats: Stats {
        state.withLock { state in
            var byType: [String: Int] = [:]
            for type in EventType.allCases where state.byType[Int(type.rawValue)] > 0 {
                byType[type.description] = state.byType[Int(type.rawValue)]
            }
            return Stats(
                events: state.events,
                users: state.users.count,
                items: state.itemNames.count,
                catalogItems: state.catalog.count,
                byType: byType
            )
        }
    }
}
