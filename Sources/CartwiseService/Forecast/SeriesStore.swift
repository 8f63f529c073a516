package import CartwiseModels
import Synchronization

/// Every series the forecaster fits: the ones uploaded (`POST /series`, `cartwise import
/// series`) and daily demand per item summed from `purchase` events (quantity = `value`). An
/// uploaded series with an item's id takes the place of its derived demand.
package final class SeriesStore: Sendable {
    /// A series as the trainer fits it: dense from its first period, gaps as zero demand.
    package struct Input: Sendable {
        package var id: String
        package var frequency: Frequency
        package var seasonLength: Int
        package var indexed: Bool
        package var firstPeriod: Int
        package var values: [Double]
        package var revision: Int
        package var fromEvents: Bool
        /// Prices and promotions over the history and as planned (nil: none that vary).
        package var covariates: Covariates?
    }

    struct Stored {
        var frequency: Frequency
        var seasonLength: Int
        var indexed: Bool
        var values: [Int: Double]
        var revision: Int
        /// Covariate -> period -> value over the history.
        var covariates: [String: [Int: Double]] = [:]
    }

    /// Planned covariates: scenario ("" for the baseline plan) -> covariate -> period -> value.
    typealias Plans = [String: [String: [Int: Double]]]

    struct State {
        var uploaded: [String: Stored] = [:]
        /// Item -> day -> quantity purchased.
        var demand: [String: [Int: Double]] = [:]
        /// Item -> the revision of its first purchase: an incremental refit fits new items too,
        /// so a new item does not wait for the next full refit to get a forecast.
        var firstPurchase: [String: Int] = [:]
        var lastDemandDay = Int.min
        /// Item -> day -> (price x quantity, quantity) of its purchases with a price.
        var prices: [String: [Int: (amount: Double, quantity: Double)]] = [:]
        /// Series or item -> its promotion plans.
        var plans: [String: Plans] = [:]
        /// Counts uploads and first purchases: what an incremental refit has yet to fit.
        var revision = 0
        var demandRevision = 0
    }

    private let state = Mutex(State())
    /// The longest history kept per series; older periods are dropped from fitting.
    package let maxHistory: Int

    package init(maxHistory: Int = 5_000) {
        self.maxHistory = maxHistory
    }

    /// Checks that uploads agree with what is stored (a series keeps its frequency and its kind
    /// of time axis), so a batch is refused whole before anything is written.
    /// - Throws: ``APIError/invalidField(field:reason:)`` naming the series.
    package func validate(_ uploads: [SeriesUpload]) throws(APIError) {
        try state.withLock { state throws(APIError) in
            var seen: [String: (Frequency, Bool)] = [:]
            for (index, upload) in uploads.enumerated() {
                let field = uploads.count > 1 ? "series[\(index)].frequency" : "frequency"
                let stored = seen[upload.id] ?? state.uploaded[upload.id].map { ($0.frequency, $0.indexed) }
                if let (frequency, indexed) = stored {
                    if frequency != upload.frequency {
                        throw .conflict(
                            field: field,
                            reason:
                                "is \(upload.frequency.rawValue), but series '\(upload.id)' is \(frequency.rawValue)"
                        )
                    }
                    if indexed != upload.indexed {
                        throw .conflict(
                            field: uploads.count > 1 ? "series[\(index)].points" : "points",
                            reason: "use \(indexed ? "period indexes" : "dates") for series '\(upload.id)', as before"
                        )
                    }
                }
                seen[upload.id] = (upload.frequency, upload.indexed)
            }
        }
    }

    /// Merges uploads: a point replaces the stored value of its period.
    package func apply(_ uploads: [SeriesUpload]) {
        state.withLock { state in
            for upload in uploads {
                state.revision += 1
                var stored =
                    state.uploaded[upload.id]
                    ?? Stored(
                        frequency: upload.frequency,
                        seasonLength: upload.frequency.defaultSeasonLength,
                        indexed: upload.indexed,
                        values: [:],
                        revision: 0
                    )
                if let season = upload.seasonLength { stored.seasonLength = season }
                for point in upload.points {
                    stored.values[point.period] = point.value
                    for covariate in point.covariates {
                        stored.covariates[covariate.name, default: [:]][point.period] = covariate.value
                    }
                }
                stored.revision = state.revision
                state.uploaded[upload.id] = stored
            }
        }
    }

    /// Checks promotion plans against the series they name: the series exists, uses the same
    /// kind of time axis, and has every planned covariate in its history.
    /// - Throws: ``APIError`` naming the field (404 for an unknown series).
    package func validatePlans(_ plans: [SeriesUpload]) throws(APIError) {
        try state.withLock { state throws(APIError) in
            for (index, plan) in plans.enumerated() {
                let path = plans.count > 1 ? "promotions[\(index)]." : ""
                let known: Set<String>
                let indexed: Bool
                if let stored = state.uploaded[plan.id] {
                    known = Set(stored.covariates.keys)
                    indexed = stored.indexed
                } else if state.demand[plan.id] != nil {
                    known = state.prices[plan.id] == nil ? [] : ["price"]
                    indexed = false
                } else {
                    throw .notFound(
                        "no series or item '\(plan.id)' (\(path)id); upload its history with POST /series first"
                    )
                }
                if plan.indexed != indexed {
                    throw .invalidField(
                        field: path + "points",
                        reason:
                            "must use \(indexed ? "period indexes" : "dates") for series '\(plan.id)', as its history does"
                    )
                }
                for (p, point) in plan.points.enumerated() {
                    for covariate in point.covariates where !known.contains(covariate.name) {
                        throw .invalidField(
                            field: "\(path)points[\(p)].\(covariate.name)",
                            reason:
                                "is not a covariate of '\(plan.id)' (it has \(known.isEmpty ? "none" : known.sorted().joined(separator: ", "))); upload its history with the series"
                        )
                    }
                }
            }
        }
    }

    /// Stores promotion plans: a planned value replaces the one planned for its period before.
    package func applyPlans(_ plans: [SeriesUpload]) {
        state.withLock { state in
            for plan in plans {
                let frequency = state.uploaded[plan.id]?.frequency ?? .day
                let indexed = state.uploaded[plan.id]?.indexed ?? false
                var stored = state.plans[plan.id] ?? [:]
                for point in plan.points {
                    // Plans are decoded before their series is known: dates arrive as days.
                    let period = indexed ? point.period : frequency.period(ofDay: point.period)
                    for covariate in point.covariates {
                        stored[plan.scenario ?? "", default: [:]][covariate.name, default: [:]][period] =
                            covariate.value
                    }
                }
                state.plans[plan.id] = stored
                state.revision += 1
                if state.uploaded[plan.id] != nil {
                    state.uploaded[plan.id]!.revision = state.revision
                } else {
                    state.firstPurchase[plan.id] = state.revision
                }
            }
        }
    }

    /// A scenario's planned covariates for a fitted input (nil: no such scenario for the series).
    package func scenarioFuture(_ id: String, scenario: String, for input: Covariates, after last: Int) -> [[Double]]? {
        let plans = state.withLock { $0.plans[id] ?? [:] }
        guard plans[scenario] != nil else { return nil }
        return CovariateTable.future(input, plan: CovariateTable.plan(plans, scenario: scenario), after: last)
    }

    /// The scenarios planned for a series.
    package func scenarios(_ id: String) -> [String] {
        state.withLock { ($0.plans[id] ?? [:]).keys.filter { !$0.isEmpty }.sorted() }
    }

    /// Learns daily demand from the event stream.
    package var observer: EventObserver {
        EventObserver(
            events: { [self] events in
                var any = false
                for event in events where event.type == .purchase { any = true }
                guard any else { return }
                state.withLock { state in
                    for event in events where event.type == .purchase && event.value > 0 {
                        if state.demand[event.item] == nil {
                            state.revision += 1
                            state.firstPurchase[event.item] = state.revision
                        }
                        let day = Frequency.floorDivide(Int(event.timestamp), 86_400_000)
                        state.demand[event.item, default: [:]][day, default: 0] += event.value
                        if let price = event.price, price > 0 {
                            let sold = state.prices[event.item]?[day] ?? (0, 0)
                            state.prices[event.item, default: [:]][day] = (
                                sold.amount + price * event.value, sold.quantity + event.value
                            )
                        }
                        state.lastDemandDay = max(state.lastDemandDay, day)
                    }
                    state.demandRevision += 1
                }
            },
            items: { _ in }
        )
    }

    package var counts: (uploaded: Int, items: Int, revision: Int, demandRevision: Int) {
        state.withLock { ($0.uploaded.count, $0.demand.count, $0.revision, $0.demandRevision) }
    }

    /// Whether `id` is an item with purchases and no upload in its place yet: an upload under
    /// its id would hide its purchase history, which takes `replace=true`.
    package func isPurchasedItem(_ id: String) -> Bool {
        state.withLock { $0.uploaded[id] == nil && $0.demand[id] != nil }
    }

    /// Forgets an uploaded series; an item's purchase history under the same id is fitted again.
    /// - Returns: whether there was one.
    @discardableResult
    package func remove(_ id: String) -> Bool {
        state.withLock { state in
            guard state.uploaded.removeValue(forKey: id) != nil else { return false }
            state.revision += 1
            if state.demand[id] != nil { state.firstPurchase[id] = state.revision }
            return true
        }
    }

    /// Whether `id` is an uploaded series.
    package func isUploaded(_ id: String) -> Bool {
        state.withLock { $0.uploaded[id] != nil }
    }

    /// Whether a series (uploaded, or an item with purchases) exists.
    package func contains(_ id: String) -> Bool {
        state.withLock { $0.uploaded[id] != nil || $0.demand[id] != nil }
    }

    /// The series to fit.
    /// - Parameter changedAfter: only series uploaded, and items first purchased, after this
    ///   revision (nil: every series, the event-derived demand of known items included).
    /// - Returns: the inputs, and the revision they reflect.
    package func inputs(changedAfter: Int?) -> (inputs: [Input], revision: Int) {
        let (uploaded, demand, lastDay, revision, plans, prices) = state.withLock { state in
            let uploaded = state.uploaded.filter { changedAfter == nil || $0.value.revision > changedAfter! }
            // An upload under the item's id takes its place, whether or not it changed now.
            let demand = state.demand.filter { id, _ in
                state.uploaded[id] == nil
                    && (changedAfter == nil || state.firstPurchase[id, default: 0] > changedAfter!)
            }
            let prices = state.prices.filter { demand[$0.key] != nil }
            return (uploaded, demand, state.lastDemandDay, state.revision, state.plans, prices)
        }
        var inputs: [Input] = []
        inputs.reserveCapacity(uploaded.count + demand.count)
        for (id, stored) in uploaded {
            if let input = Self.input(id, stored, plans: plans[id] ?? [:], maxHistory: maxHistory) {
                inputs.append(input)
            }
        }
        for (id, days) in demand {
            if let input = Self.input(
                id,
                days,
                prices: prices[id] ?? [:],
                plans: plans[id] ?? [:],
                lastDay: lastDay,
                maxHistory: maxHistory
            ) {
                inputs.append(input)
            }
        }
        return (inputs.sorted { $0.id < $1.id }, revision)
    }

    /// One series as the trainer would fit it now, or nil for an unknown id.
    package func input(_ id: String) -> Input? {
        let (stored, days, lastDay, plans, prices) = state.withLock { state in
            (
                state.uploaded[id], state.uploaded[id] == nil ? state.demand[id] : nil, state.lastDemandDay,
                state.plans[id] ?? [:], state.prices[id] ?? [:]
            )
        }
        if let stored { return Self.input(id, stored, plans: plans, maxHistory: maxHistory) }
        if let days {
            return Self.input(id, days, prices: prices, plans: plans, lastDay: lastDay, maxHistory: maxHistory)
        }
        return nil
    }

    private static func input(_ id: String, _ stored: Stored, plans: Plans, maxHistory: Int) -> Input? {
        guard let first = stored.values.keys.min(), let last = stored.values.keys.max() else { return nil }
        let start = max(first, last - min(maxHistory, stored.frequency.fitWindow) + 1)
        var values = [Double](repeating: 0, count: last - start + 1)
        for (period, value) in stored.values where period >= start { values[period - start] = value }
        let covariates = CovariateTable.covariates(
            history: stored.covariates,
            plan: CovariateTable.plan(plans, scenario: nil),
            start: start,
            last: last,
            horizon: stored.frequency.maxHorizon
        )
        return Input(
            id: id,
            frequency: stored.frequency,
            seasonLength: stored.seasonLength,
            indexed: stored.indexed,
            firstPeriod: start,
            values: values,
            revision: stored.revision,
            fromEvents: false,
            covariates: covariates
        )
    }

    /// An item's daily demand, from its first purchase to the last day any item sold, but not
    /// past today: a purchase dated in the future (an event sent with a 2099 timestamp) is not
    /// history yet, and counting to it gave every item decades of zeros to fit, a refit of
    /// minutes. An item sold only in the future is its first day alone.
    private static func input(
        _ id: String,
        _ days: [Int: Double],
        prices: [Int: (amount: Double, quantity: Double)],
        plans: Plans,
        lastDay: Int,
        maxHistory: Int
    ) -> Input? {
        guard let first = days.keys.min() else { return nil }
        let today = Frequency.floorDivide(Int(WallClock.milliseconds()), 86_400_000)
        let last = max(min(lastDay, today), first)
        let start = max(first, last - min(maxHistory, Frequency.day.fitWindow) + 1)
        var values = [Double](repeating: 0, count: last - start + 1)
        for (day, quantity) in days where day >= start && day <= last { values[day - start] = quantity }
        return Input(
            id: id,
            frequency: .day,
            seasonLength: 7,
            indexed: false,
            firstPeriod: start,
            values: values,
            revision: 0,
            fromEvents: true,
            covariates: CovariateTable.covariates(
                history: prices.isEmpty ? [:] : ["price": prices.mapValues { $0.amount / $0.quantity }],
                plan: CovariateTable.plan(plans, scenario: nil),
                start: start,
                last: last,
                horizon: Frequency.day.maxHorizon
            )
        )
    }
}
