import Synchronization

/// What the risk features remember of past orders, bounded: per user, email, IP, card, device
/// and shipping address, the times of their orders in the last 24 hours (at most
/// ``maxPerKey``), with a tag of the account that placed each (so a card or an address shared by
/// several accounts shows); per user the count and sum of amounts and when each card, device and
/// address was first used (at most ``maxPerUser`` of each), for users who ordered in the last
/// ``userMemory`` (once there are more than ``userSweepAbove`` users, those idle longer are
/// forgotten: a user back after a year starts a new history).
///
/// An order recorded again under the same id (a checkout scored twice) replaces its first
/// recording instead of counting twice, while that recording is in the 24-hour windows.
///
/// One lock: an order's features are read and the order recorded in one step, so two orders
/// from one card arriving together see each other.
package final class OrderHistory: Sendable {
    package static let day: Int64 = 86_400_000
    package static let hour: Int64 = 3_600_000
    package static let maxPerKey = 1000
    /// Cards, devices and addresses remembered per user.
    package static let maxPerUser = 64
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
        /// Whether this user had never ordered from this device (nil without both).
        package var firstUseOfDevice: Bool?
        /// Whether this user had never shipped to this address (nil without both).
        package var firstUseOfAddress: Bool?
        /// Other accounts that used this card, or shipped to this address, in the last 24 hours
        /// (nil without a card or address; orders without a user count as one account each).
        package var cardAccounts: Int?
        package var addressAccounts: Int?

        package static func == (lhs: Before, rhs: Before) -> Bool {
            lhs.user?.hour == rhs.user?.hour && lhs.user?.day == rhs.user?.day && lhs.email?.hour == rhs.email?.hour
                && lhs.email?.day == rhs.email?.day && lhs.ip?.hour == rhs.ip?.hour && lhs.ip?.day == rhs.ip?.day
                && lhs.card?.hour == rhs.card?.hour && lhs.card?.day == rhs.card?.day
                && lhs.userOrders == rhs.userOrders && lhs.userMeanAmount == rhs.userMeanAmount
                && lhs.firstUseOfCard == rhs.firstUseOfCard && lhs.firstUseOfDevice == rhs.firstUseOfDevice
                && lhs.firstUseOfAddress == rhs.firstUseOfAddress && lhs.cardAccounts == rhs.cardAccounts
                && lhs.addressAccounts == rhs.addressAccounts
        }
    }

    /// The keys of one order, personal ones already hashed.
    package struct Keys: Sendable, Equatable {
        package var user: String?
        package var emailHash: String?
        package var ipHash: String?
        package var card: String?
        package var deviceHash: String?
        package var addressHash: String?

        package init(
            user: String?,
            emailHash: String?,
            ipHash: String?,
            card: String?,
            deviceHash: String? = nil,
            addressHash: String? = nil
        ) {
            self.user = user
            self.emailHash = emailHash
            self.ipHash = ipHash
            self.card = card
            self.deviceHash = deviceHash
            self.addressHash = addressHash
        }

        /// No key at all: the order only counts in the dataset.
        package static let none = Keys(user: nil, emailHash: nil, ipHash: nil, card: nil)
    }

    private struct UserStats {
        var orders = 0
        var amount = 0.0
        /// When each card, device and address was first used by this user: an order scored again
        /// still sees a card it introduced as new.
        var cards: [String: Int64] = [:]
        var devices: [String: Int64] = [:]
        var addresses: [String: Int64] = [:]
        /// The newest order's time.
        var last: Int64 = .min
    }

    /// A key of one kind (user, email hash, IP hash, card, device hash, address hash): no string
    /// is built per lookup.
    private struct Key: Hashable {
        var kind: UInt8
        var value: String
    }

    /// One order on a key: when, and a tag of its account (0 for none).
    private struct Stamp {
        var time: Int64
        var account: Int
    }

    /// An order as recorded, so a second recording of its id can take the first one back.
    private struct Recorded {
        var keys: Keys
        var amount: Double
        var time: Int64
    }

    /// The maps are split in shards by hash: a dictionary that doubles, or a sweep that
    /// rebuilds it, then touches one shard's keys, not a million (which would hold the lock, and
    /// every checkout, for tens of milliseconds).
    private struct State {
        /// Per key, its orders ascending by time (an order older than the newest is inserted in
        /// place), at most ``maxPerKey``.
        var times = [[Key: [Stamp]]](repeating: [:], count: OrderHistory.shards)
        var users = [[String: UserStats]](repeating: [:], count: OrderHistory.shards)
        /// Orders of the last day by id.
        var orders = [[String: Recorded]](repeating: [:], count: OrderHistory.shards)
        /// A shard is swept when it holds this many keys; after a sweep, twice what is left
        /// (so a shard of keys all active today is not swept on every new key).
        var sweepAt: [Int]
        var userSweepAt: [Int]
        var orderSweepAt: [Int]
        var newest: Int64 = .min
    }

    private static let shards = 64

    private let state: Mutex<State>

    /// - Parameters:
    ///   - sweepAbove: keys (user, email, IP, card, device, address) held before the idle ones
    ///     are swept; also order ids held before those older than a day are swept.
    ///   - userSweepAbove: users' stats held before the ones idle for ``userMemory`` are swept.
    package init(sweepAbove: Int = 1_000_000, userSweepAbove: Int = 4_000_000) {
        self.sweepAbove = sweepAbove
        self.userSweepAbove = userSweepAbove
        state = Mutex(
            State(
                sweepAt: Array(repeating: Self.perShard(sweepAbove), count: Self.shards),
                userSweepAt: Array(repeating: Self.perShard(userSweepAbove), count: Self.shards),
                orderSweepAt: Array(repeating: Self.perShard(sweepAbove), count: Self.shards)
            )
        )
    }

    /// The history's view of `keys` at `time`, then records the order.
    /// - Parameters:
    ///   - keys: the order's keys.
    ///   - amount: its amount.
    ///   - time: its creation time.
    ///   - id: the order's id: recorded again, it replaces its earlier recording (nil: always a
    ///     new order).
    /// - Returns: what the windows knew just before the order.
    package func record(_ keys: Keys, amount: Double, at time: Int64, id: String? = nil) -> Before {
        state.withLock { state in
            if let id {
                let shard = id.hashValue & (Self.shards - 1)
                if let earlier = state.orders[shard].removeValue(forKey: id) { Self.forget(earlier, &state) }
                if state.newest == .min || time > state.newest - Self.day {
                    state.orders[shard][id] = Recorded(keys: keys, amount: amount, time: time)
                    let cutoff = max(state.newest, time) - Self.day
                    Self.sweep(
                        &state.orders[shard],
                        at: &state.orderSweepAt[shard],
                        floor: Self.perShard(sweepAbove)
                    ) { $0.time > cutoff }
                }
            }
            state.newest = max(state.newest, time)
            let account = keys.user?.hashValue ?? 0
            var before = Before()
            before.user = keys.user.map { count(&state, Key(kind: 0, value: $0), time, account).window }
            before.email = keys.emailHash.map { count(&state, Key(kind: 1, value: $0), time, account).window }
            before.ip = keys.ipHash.map { count(&state, Key(kind: 2, value: $0), time, account).window }
            if let card = keys.card {
                let counted = count(&state, Key(kind: 3, value: card), time, account, accounts: true)
                (before.card, before.cardAccounts) = (counted.window, counted.accounts)
            }
            if let address = keys.addressHash {
                before.addressAccounts =
                    count(&state, Key(kind: 5, value: address), time, account, accounts: true).accounts
            }
            if let user = keys.user {
                // Updated in place: one hash of the user per order.
                let shard = user.hashValue & (Self.shards - 1)
                Self.update(
                    &state.users[shard][user, default: UserStats()],
                    keys: keys,
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

    /// Forgets a user (an erasure): their totals, the cards, devices and addresses they used,
    /// their own window, and their orders' recordings.
    package func forget(user: String) {
        state.withLock { state in
            state.users[user.hashValue & (Self.shards - 1)][user] = nil
            let key = Key(kind: 0, value: user)
            state.times[key.hashValue & (Self.shards - 1)][key] = nil
            for shard in state.orders.indices {
                state.orders[shard] = state.orders[shard].filter { $0.value.keys.user != user }
            }
        }
    }

    /// Takes an order's earlier recording out of the windows and its user's totals (the
    /// first-use times stay: they are the earliest use, which the order may have been).
    private static func forget(_ order: Recorded, _ state: inout State) {
        let account = order.keys.user?.hashValue ?? 0
        let keys: [(UInt8, String?)] = [
            (0, order.keys.user), (1, order.keys.emailHash), (2, order.keys.ipHash), (3, order.keys.card),
            (4, order.keys.deviceHash), (5, order.keys.addressHash),
        ]
        for case (let kind, let value?) in keys {
            let key = Key(kind: kind, value: value)
            let shard = key.hashValue & (shards - 1)
            guard state.times[shard][key] != nil else { continue }
            // Sorted by time: the recording is among the stamps of its time, found by bisection
            // (a key under attack holds a thousand).
            let stamps = state.times[shard][key]!
            var index = firstAfter(stamps, order.time - 1)
            while index < stamps.count && stamps[index].time == order.time && stamps[index].account != account {
                index += 1
            }
            if index < stamps.count && stamps[index].time == order.time {
                state.times[shard][key]!.remove(at: index)
            }
        }
        if let user = order.keys.user {
            let shard = user.hashValue & (shards - 1)
            if var stats = state.users[shard][user], stats.orders > 0 {
                stats.orders -= 1
                stats.amount -= order.amount
                state.users[shard][user] = stats
            }
        }
    }

    private static func update(
        _ stats: inout UserStats,
        keys: Keys,
        amount: Double,
        time: Int64,
        _ before: inout Before
    ) {
        stats.last = max(stats.last, time)
        before.userOrders = stats.orders
        before.userMeanAmount = stats.orders > 0 ? stats.amount / Double(stats.orders) : nil
        if let card = keys.card { before.firstUseOfCard = firstUse(&stats.cards, card, time) }
        if let device = keys.deviceHash { before.firstUseOfDevice = firstUse(&stats.devices, device, time) }
        if let address = keys.addressHash { before.firstUseOfAddress = firstUse(&stats.addresses, address, time) }
        stats.orders += 1
        stats.amount += amount
    }

    /// Whether `value` is new to the user at `time` (never used, or first used by an order at or
    /// after this one), then notes its first use.
    private static func firstUse(_ uses: inout [String: Int64], _ value: String, _ time: Int64) -> Bool {
        if let first = uses[value] {
            if time < first { uses[value] = time }
            return first >= time
        }
        if uses.count < maxPerUser { uses[value] = time }
        return true
    }

    private func count(
        _ state: inout State,
        _ key: Key,
        _ time: Int64,
        _ account: Int,
        accounts: Bool = false
    ) -> (window: (hour: Int, day: Int), accounts: Int) {
        let newest = state.newest
        let shard = key.hashValue & (Self.shards - 1)
        let counted = Self.count(
            &state.times[shard][key, default: []],
            newest: newest,
            time,
            account,
            accounts: accounts
        )
        let cutoff = newest - Self.day
        Self.sweep(&state.times[shard], at: &state.sweepAt[shard], floor: Self.perShard(sweepAbove)) {
            $0.contains { $0.time > cutoff }
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

    /// Orders in (time − 1 h, time] and (time − 1 day, time], and the other accounts among
    /// the day's, then adds this one: binary searches over the sorted times, so a key under
    /// attack (thousands of orders a day) costs the same as a quiet one for the windows. The
    /// accounts are counted over the day's orders only when asked (a card or an address: an IP
    /// behind a carrier's NAT sees hundreds of orders a day, and counting them per order was the
    /// costliest step of a score), bounded by ``maxPerKey``.
    private static func count(
        _ stamps: inout [Stamp],
        newest: Int64,
        _ time: Int64,
        _ account: Int,
        accounts: Bool
    ) -> (window: (hour: Int, day: Int), accounts: Int) {
        // Drop what has left every window (relative to the newest order seen).
        let expired = firstAfter(stamps, newest - day)
        if expired > 0 { stamps.removeFirst(expired) }
        let end = firstAfter(stamps, time)
        let dayStart = firstAfter(stamps, time - day)
        let inHour = end - firstAfter(stamps, time - hour)
        var others: Set<Int> = []
        var anonymous = 0
        if accounts {
            for index in dayStart..<end where stamps[index].account != account || account == 0 {
                if stamps[index].account == 0 { anonymous += 1 } else { others.insert(stamps[index].account) }
            }
        }
        if stamps.count >= maxPerKey { stamps.removeFirst(stamps.count - maxPerKey + 1) }
        stamps.insert(Stamp(time: time, account: account), at: firstAfter(stamps, time))
        return ((inHour, end - dayStart), others.count + anonymous)
    }

    /// The index of the first time after `limit` in ascending `times`.
    private static func firstAfter(_ stamps: [Stamp], _ limit: Int64) -> Int {
        var low = 0
        var high = stamps.count
        while low < high {
            let middle = (low + high) / 2
            if stamps[middle].time <= limit { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension OrderHistory.Keys {
    /// An order's keys: the personal ones hashed with the data directory's salt, as scoring,
    /// imports and the lists all key them.
    package init(_ order: Order, personal: PersonalData) {
        self.init(
            user: order.user,
            emailHash: order.email.map { personal.hash($0) },
            ipHash: order.ip.map { personal.hash($0) },
            card: order.cardFingerprint,
            deviceHash: order.deviceID.map { personal.hash($0) },
            addressHash: order.shippingAddress.map { personal.hash(address: $0) }
        )
    }
}
