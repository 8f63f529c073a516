import RealModule
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

    fileprivate struct UserHistory {
        var recent: [RecentEvent] = []
        var total = 0
        /// Summed event weight per interned item: the user's row of the ALS confidence matrix.
        var weights: [Int32: Float] = [:]
        /// ``State/sequence`` after this user's latest event, to tell whether a model has seen it.
        var lastSequence = 0
    }

    /// The store's state; every field is copy-on-write, so ``trainingView()`` copies it in O(1).
    package struct State: Sendable {
        fileprivate var users: [String: UserHistory] = [:]
        fileprivate var itemIndex: [String: Int32] = [:]
        fileprivate var itemNames: [String] = []
        fileprivate var catalog: [String: Item] = [:]
        fileprivate var events = 0
        fileprivate var byType = [Int](repeating: 0, count: 16)
        /// Events applied so far (the replay and every durable batch).
        fileprivate var sequence = 0
        /// log(Σ w·exp((t − t₀)/τ)) per item: time-decayed popularity kept in log space so that
        /// years of history neither overflow nor depend on arrival order.
        fileprivate var logPopularity: [Double] = []
        /// Users erased since start, with the sequence at their erasure: a model trained before
        /// it must not answer for them (kept in memory only; at the next start the logs no
        /// longer hold them).
        fileprivate var erasedAt: [String: Int] = [:]
        /// Items deleted from the catalog: their ALS factors stay in models trained before, so
        /// recommendations are told, as for a sold-out item.
        fileprivate var deleted: Set<String> = []
    }

    package let recentPerUser: Int
    package let weights: EventWeights
    /// τ of the popularity decay, in milliseconds.
    private let popularityTimescale: Double
    private let state = Mutex(State())
    /// Told about every applied batch (replay, demo and live), after the store's lock is released.
    private let observer: EventObserver?

    package init(
        recentPerUser: Int,
        weights: EventWeights = EventWeights(),
        popularityHalfLifeDays: Double = 7,
        observer: EventObserver? = nil
    ) {
        self.recentPerUser = recentPerUser
        self.weights = weights
        self.observer = observer
        popularityTimescale = popularityHalfLifeDays * 86_400_000 / 0.693_147_180_559_945_3
    }

    /// A store with the configured limits and weights.
    package convenience init(configuration: ServiceConfiguration, observer: EventObserver? = nil) {
        self.init(
            recentPerUser: configuration.recentPerUser,
            weights: configuration.eventWeights,
            popularityHalfLifeDays: configuration.popularityHalfLifeDays,
            observer: observer
        )
    }

    /// Adds a durable batch of events stored at `location`.
    package func apply(events: [Event], at location: RecordLog.Location) {
        defer { observer?.events(events) }
        state.withLock { state in
            for (index, event) in events.enumerated() {
                // CTR-only impressions imported without a user or item column feed the click
                // model (through the observer) and the counts, not the per-user state.
                if event.user.isEmpty || event.item.isEmpty {
                    state.sequence += 1
                    state.events += 1
                    state.byType[Int(event.type.rawValue)] += 1
                    continue
                }
                let item: Int32
                if let known = state.itemIndex[event.item] {
                    item = known
                } else {
                    item = Int32(state.itemNames.count)
                    state.itemIndex[event.item] = item
                    state.itemNames.append(event.item)
                    state.logPopularity.append(-.infinity)
                }
                state.sequence += 1
                let weight = weights.weight(event)
                if weight > 0 {
                    let sequence = state.sequence
                    Self.addWeight(
                        weight,
                        item: item,
                        sequence: sequence,
                        into: &state.users[event.user, default: UserHistory()]
                    )
                    let term = Double.log(Double(weight)) + Double(event.timestamp) / popularityTimescale
                    state.logPopularity[Int(item)] = Self.logAdd(state.logPopularity[Int(item)], term)
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

    private static func addWeight(_ weight: Float, item: Int32, sequence: Int, into history: inout UserHistory) {
        history.weights[item, default: 0] += weight
        history.lastSequence = sequence
    }

    /// log(eᵃ + eᵇ) without overflow.
    private static func logAdd(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        let high = max(a, b)
        return high + Double.log(1 + Double.exp(min(a, b) - high))
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
    /// Forgets everything held about `user` (an erasure): their recent events, their row of the
    /// confidence matrix. Counts and item popularity are aggregates and stay.
    /// - Returns: how many of the user's events had been applied.
    @discardableResult
    package func forget(user: String) -> Int {
        state.withLock { state in
            state.sequence += 1
            state.erasedAt[user] = state.sequence
            return state.users.removeValue(forKey: user)?.total ?? 0
        }
    }

    /// Whether `user` was erased after a model trained at `sequence` saw them.
    package func erased(_ user: String, after sequence: Int) -> Bool {
        state.withLock { $0.erasedAt[user].map { $0 > sequence } ?? false }
    }

    package func apply(items: [Item]) {
        defer { observer?.items(items) }
        state.withLock { state in
            for item in items {
                state.catalog[item.id] = item
                if !state.deleted.isEmpty { state.deleted.remove(item.id) }
            }
        }
    }

    /// Removes items from the catalog (`DELETE /items/{id}`); their events stay (sales history).
    package func delete(items ids: [String]) {
        state.withLock { state in
            for id in ids {
                state.catalog[id] = nil
                state.deleted.insert(id)
            }
        }
    }

    /// The user's latest events, newest first, or nil for a user never seen.
    package func recentEvents(user: String, limit: Int) -> (events: [RecentEvent], total: Int)? {
        state.withLock { state in
            guard let history = state.users[user] else { return nil }
            return (Array(history.recent.reversed().prefix(limit)), history.total)
        }
    }

    /// Events applied so far.
    package var sequence: Int { state.withLock { $0.sequence } }

    /// A consistent copy of everything, in O(1) (copy-on-write), for the trainer to read without
    /// holding the lock while it builds its matrices.
    package func trainingView() -> TrainingView {
        TrainingView(state: state.withLock { $0 })
    }

    /// The user's summed weights per item id and the sequence of their latest event.
    package func interactions(user: String) -> (weights: [(item: String, weight: Float)], lastSequence: Int)? {
        state.withLock { state in
            guard let history = state.users[user], !history.weights.isEmpty else { return nil }
            let weights = history.weights.map { (item: state.itemNames[Int($0.key)], weight: $0.value) }
            return (weights, history.lastSequence)
        }
    }

    /// The sequence of the user's latest event (nil for a user without weighted events): whether a
    /// model has seen all of them, in one lookup and without copying their history.
    package func lastSequence(user: String) -> Int? {
        state.withLock { state in
            guard let history = state.users[user], !history.weights.isEmpty else { return nil }
            return history.lastSequence
        }
    }

    /// Catalog entries for `ids` (nil where an id is not in the catalog), under one lock.
    /// The catalog entries of `ids`; a deleted item reads as a hidden, unavailable one, so the
    /// recommendation filters leave it out like a sold-out item.
    package func catalogEntries(_ ids: [String]) -> [Item?] {
        state.withLock { state in
            ids.map { id in
                if let item = state.catalog[id] { return item }
                return state.deleted.contains(id) ? Item(id: id, available: false, hidden: true) : nil
            }
        }
    }

    /// The item id for an interned index.
    package func itemName(_ index: Int32) -> String? {
        state.withLock { state in Int(index) < state.itemNames.count ? state.itemNames[Int(index)] : nil }
    }

    package func item(_ id: String) -> Item? {
        state.withLock { $0.catalog[id] }
    }

    /// One page of the catalog in id order, for `GET /items`: the items after `after` that match
    /// the filters, at most `limit`, and the id to continue after (nil on the last page). The
    /// catalog is copied in O(1) (copy-on-write) and scanned outside the lock: O(n) a page.
    /// - Parameters:
    ///   - category: only items in this category.
    ///   - available: only items that are (or are not) available.
    ///   - after: the id the previous page ended at.
    ///   - limit: items per page.
    /// - Returns: the page, the cursor, and how many items match the filters in all.
    package func catalogPage(
        category: String?,
        available: Bool?,
        after: String?,
        limit: Int
    ) -> (
        items: [Item], next: String?, matching: Int
    ) {
        let catalog = state.withLock { $0.catalog }
        var matching = 0
        var candidates: [Item] = []
        for item in catalog.values {
            if let category, !item.categories.contains(category) { continue }
            if let available, item.available != available { continue }
            matching += 1
            if let after, item.id <= after { continue }
            candidates.append(item)
        }
        candidates.sort { $0.id < $1.id }
        let page = Array(candidates.prefix(limit))
        return (page, candidates.count > limit ? page.last?.id : nil, matching)
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

/// Who else learns from the event stream (the CTR learner), in the order the store applies it.
package struct EventObserver: Sendable {
    package var events: @Sendable ([Event]) -> Void
    package var items: @Sendable ([Item]) -> Void

    package init(events: @escaping @Sendable ([Event]) -> Void, items: @escaping @Sendable ([Item]) -> Void) {
        self.events = events
        self.items = items
    }
}

/// What the trainer reads: a frozen copy of the store.
package struct TrainingView: Sendable {
    fileprivate let state: EventStore.State

    /// Events applied when the copy was taken.
    package var sequence: Int { state.sequence }
    package var itemNames: [String] { state.itemNames }
    package var catalog: [String: Item] { state.catalog }

    /// Every user with a positive weight: their (item, weight) pairs, and their distinct positively
    /// weighted items from the in-memory history, newest first (for the held-back quality slice).
    package func users(weights: EventWeights) -> [(name: String, weights: [Int32: Float], recent: [Int32])] {
        state.users.compactMap { name, history in
            guard !history.weights.isEmpty else { return nil }
            var recent: [Int32] = []
            for event in history.recent.reversed()
            where weights.weight(type: event.type, value: event.value) > 0 && !recent.contains(event.item) {
                recent.append(event.item)
            }
            return (name, history.weights, recent)
        }
    }

    /// Item indices by time-decayed popularity, most popular first.
    package func popularity() -> [(item: Int32, logScore: Double)] {
        state.logPopularity.enumerated().filter { $0.element > -.infinity }.map { (Int32($0.offset), $0.element) }
            .sorted { $0.logScore > $1.logScore }
    }
}

/// How much each event type counts toward the ALS confidence (c = 1 + α Σ w).
package struct EventWeights: Sendable, Equatable {
    package var view: Float = 1
    package var click: Float = 2
    package var addToCart: Float = 4
    package var purchase: Float = 8
    package var impression: Float = 0
    /// Ratings count `rating × value` (a 5-star rating weighs 5 with the default 1).
    package var rating: Float = 1

    package init() {}

    package func weight(_ event: Event) -> Float {
        weight(type: event.type, value: Float(event.value))
    }

    /// The weight of an event of `type` with `value` (only ratings use the value).
    package func weight(type: EventType, value: Float) -> Float {
        switch type {
        case .view: return view
        case .click: return click
        case .addToCart: return addToCart
        case .purchase: return purchase
        case .impression: return impression
        case .rating: return rating * value
        // A return is recorded (counts, the user's history) but is no taste to learn: the
        // purchase it undoes already counted, and a return says the item disappointed.
        case .returned: return 0
        // Being sent an offer says nothing of taste; the campaign feature reads exposures.
        case .exposure: return 0
        }
    }
}
