import Synchronization

/// Items patched but not yet applied to the store (their catalog record is on its way to the
/// disk). A second `PATCH` of the same item merges onto the first, not onto the store's older
/// copy, so two patches in flight cannot undo each other.
final class PendingItems: Sendable {
    private let items = Mutex<[String: (item: Item, generation: Int)]>([:])
    private let counter = Atomic<Int>(0)

    /// The latest version of `id`: a pending patch's, else the store's.
    func current(_ id: String, store: EventStore) -> Item? {
        items.withLock { $0[id]?.item } ?? store.item(id)
    }

    /// Runs `body` with the latest version of `id` and records what it returns as pending,
    /// under one lock so patches of an item are merged one after another.
    /// - Returns: the new version and its generation, for ``settled(_:generation:)``.
    func update(
        _ id: String,
        store: EventStore,
        _ body: (Item) throws(APIError) -> Item
    ) throws(APIError) -> (item: Item, generation: Int)? {
        try items.withLock { items throws(APIError) -> (item: Item, generation: Int)? in
            guard let current = items[id]?.item ?? store.item(id) else { return nil }
            let next = try body(current)
            let generation = counter.add(1, ordering: .relaxed).newValue
            items[id] = (next, generation)
            return (next, generation)
        }
    }

    /// Forgets a pending version once its write is settled: applied to the store, or failed
    /// (a later patch must not build on it). A later patch's version stays.
    func settled(_ id: String, generation: Int) {
        items.withLock { items in
            if items[id]?.generation == generation { items[id] = nil }
        }
    }
}
