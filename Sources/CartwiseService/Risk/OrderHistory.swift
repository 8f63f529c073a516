import Synchronization

/// What the risk features remember of past orders, bounded: per user, email, IP and card, the
/// times of their orders in the last 24 hours (at most ``maxPerKey``), and per user the count
/// and sum of amounts and the cards used (at most ``maxCardsPerUser``) for users who ordered in
/// the last ``userMemory`` (once there are more than ``userSweepAbove`` users, those idle longer
/// are forgotten: a user back after a year starts a new history).
///
/// One lock: an order's features are read and the order recorded in one step, so two orders
/// from one card arriving together see each other.
package final class OrderHistory: Sendable {
    package static let day: Int64 = 86_400_000
    package static let hour: Int64 = 3_600_000
    package static let maxPerKey = 1000
    package static let maxCardsPerUser = 64
    /// How long an idle user's stats are kept once ``userSweepAbove`` is passed.
    package static let userMemory: Int64 = 365 * day
    /// Keys kept before the ones idle for a day are swept (per shard: this over the shard count).
    package let sweepAbove: Int
    /// Users kept before the ones idle for ``userMemory`` are swept (per shard, likewise).
    package let userSweepAbove: Int

    /// What the history knew of an order's keys just before it.
    package struct Before: Sendable, Equatable {
        /// Orders in the last hour and day per key kind, nil when the order lacks that key.
        package var user: (hour: Int, day: Int)?
        package var email: (hour: Int, day: Int)?
        package var ip: (hour: Int, day: Int)?
        package var card: (hour: Int, day: Int)?
        package var userOrders: Int?
        package var userMeanAmount: Double?
        /// Whether this user had never paid with this card (nil without a user or a card).
        package var firstUseOfCard: Bool?

        package static func == (lhs: Before, rhs: Before) -> Bool {
            lhs.user?.hour == rhs.user?.hour && lhs.user?.day == rhs.user?.day && lhs.email?.hour == rhs.email?.hour
                && lhs.email?.day == rhs.email?.day && lhs.ip?.hour == rhs.ip?.hour && lhs.ip?.day == rhs.ip?.day
                && lhs.card?.hour == rhs.card?.hour && lhs.card?.day == rhs.card?.day
                && lhs.userOrders == rhs.userOrders && lhs.userMeanAmount == rhs.userMeanAmount
                && lhs.firstUseOfCard == rhs.firstUseOfCard
        }
    }

    /// The keys of one order, personal ones already hashed.
    package struct Keys: Sendable, Equatable {
        package var user: String?
        package var emailHash: String?
        package var ipHash: String?
        package var card: String?

        package init(user: String?, emailHash: String?, ipHash: String?, card: String?) {
            self.user = user
            self.emailHash = emailHash
            self.ipHash = ipHash
            self.card = card
        }
    }

    private struct UserStats {
        var orders = 0
        var amount = 0.0
        var cards: Set<String> = []
        /// The newest order's time.
        var last: Int64 = .min
    }

    /// A key of one kind (user, email hash, IP hash, card): no string is built per lookup.
    private struct Key: Hashable {
        var kind: UInt8
        var value: String
    }

    /// The maps are split in shards by hash: a dictionary that doubles, or a sweep that
    /// rebuilds it, then touches one shard's keys, not a million (which would hold the lock, and
    /// every checkout, for tens of milliseconds).
    private struct State {
        /// Per key, its order times ascending (an order older than the newest is inserted in
        /// place), at most ``maxPerKey``.
        var times = [[Key: [Int64]]](repeating: [:], count: OrderHistory.shards)
        var users = [[String: UserStats]](repeating: [:], count: OrderHistory.shards)
        /// A shard is swept when it holds this many keys; after a sweep, twice what is left
        /// (so a shard of keys all active today is not swept on every new key).
        var sweepAt: [Int]
        var userSweepAt: [Int]
        var newest: Int64 = .min
    }

    private static let shards = 64

    private let state: Mutex<State>

    /// - Parameters:
    ///   - sweepAbove: keys (user, email, IP, card) held before the idle ones are swept.
    ///   - userSweepAbove: users' stats held before the ones idle for ``userMemory`` are swept.
    package init(sweepAbove: Int = 1_000_000, userSweepAbove: Int = 4_000_000) {
        self.sweepAbove = sweepAbove
        self.userSweepAbove = userSweepAbove
        state = Mutex(
            State(
                sweepAt: Array(repeating: Self.perShard(sweepAbove), count: Self.shards),
                userSweepAt: Array(repeating: Self.perShard(userSweepAbove), count: Self.shards)
            )
        )
    }

    /// The history's view of `keys` at `time`, then records the order.
    package func record(_ keys: Keys, amount: Double, at time: Int64) -> Before {
        state.withLock { state in
            state.newest = max(state.newest, time)
            var before = Before()
            before.user = keys.user.map { count(&state, Key(kind: 0, value: $0), time) }
            before.email = keys.emailHash.map { count(&state, Key(kind: 1, value: $0), time) }
            before.ip = keys.ipHash.map { count(&state, Key(kind: 2, value: $0), time) }
            before.card = keys.card.map { count(&state, Key(kind: 3, value: $0), time) }
            if let user = keys.user {
                // Updated in place: one hash of the user per order.
                let shard = user.hashValue & (Self.shards - 1)
                Self.update(
                    &state.users[shard][user, default: UserStats()],
                    card: keys.card,
                    amount: amount,
                    time: time,
                    &before
                )
                let cutoff = state.newest - Self.userMemory
                Self.sweep(&state.users[shard], at: &state.userSweepAt[shard], floor: Self.perShard(userSweepAbove)) {
                    $0.last > cutoff
                }
            }
            return before
        }
    }

    private static func update(
        _ stats: inout UserStats,
        card: String?,
        amount: Double,
        time: Int64,
        _ before: inout Before
    ) {
        stats.last = max(stats.last, time)
        before.userOrders = stats.orders
        before.userMeanAmount = stats.orders > 0 ? stats.amount / Double(stats.orders) : nil
        if let card {
            before.firstUseOfCard = !stats.cards.contains(card)
            if stats.cards.count < Self.maxCardsPerUser { stats.cards.insert(card) }
        }
        stats.orders += 1
        stats.amount += amount
    }

    private func count(_ state: inout State, _ key: Key, _ time: Int64) -> (hour: Int, day: Int) {
        let newest = state.newest
        let shard = key.hashValue & (Self.shards - 1)
        let counted = Self.count(&state.times[shard][key, default: []], newest: newest, time)
        let cutoff = newest - Self.day
        Self.sweep(&state.times[shard], at: &state.sweepAt[shard], floor: Self.perShard(sweepAbove)) {
            $0.contains { $0 > cutoff }
        }
        return counted
    }

    /// A shard's share of a threshold.
    private static func perShard(_ threshold: Int) -> Int { max(1, threshold / shards) }

    /// Keeps what `keep` accepts once the shard holds more than `threshold` entries; the next
    /// threshold is then twice what is left, never below `floor` (so a shard of entries that are
    /// all still wanted is not filtered on every insertion).
    private static func sweep<Key: Hashable, Value>(
        _ shard: inout [Key: Value],
        at threshold: inout Int,
        floor: Int,
        keep: (Value) -> Bool
    ) {
        guard shard.count > threshold else { return }
        shard = shard.filter { keep($0.value) }
        threshold = max(floor, 2 * shard.count)
    }

    /// Orders in (time − 1 h, time] and (time − 1 day, time], then adds `time`: binary
    /// searches over the sorted times, so a key under attack (thousands of orders a day) costs
    /// the same as a quiet one. The times are modified in place (one hash of the key).
    private static func count(_ times: inout [Int64], newest: Int64, _ time: Int64) -> (hour: Int, day: Int) {
        // Drop what has left every window (relative to the newest order seen).
        let expired = firstAfter(times, newest - day)
        if expired > 0 { times.removeFirst(expired) }
        let end = firstAfter(times, time)
        let inDay = end - firstAfter(times, time - day)
        let inHour = end - firstAfter(times, time - hour)
        if times.count >= maxPerKey { times.removeFirst(times.count - maxPerKey + 1) }
        times.insert(time, at: firstAfter(times, time))
        return (inHour, inDay)
    }

    /// The index of the first time after `limit` in ascending `times`.
    private static func firstAfter(_ times: [Int64], _ limit: Int64) -> Int {
        var low = 0
        var high = times.count
        while low < high {
            let middle = (low + high) / 2
            if times[middle] <= limit { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
