import Synchronization

/// Everything campaigns are read and learned from, kept as events arrive: the campaigns
/// defined, each campaign's exposures (the first per customer: who was in which arm, when, and
/// with which attributes), and each customer's visits and purchases (the outcomes an
/// attribution window counts).
///
/// Readouts and the uplift trainer take a frozen copy (the collections are copy-on-write, so
/// the copy is O(1) under the lock) and compute outside the lock.
package final class CampaignLedger: Sendable {
    /// A customer's first exposure to a campaign.
    package struct Exposure: Sendable, Equatable {
        /// The arm's position in ``Exposures/arms``.
        package var arm: UInt8
        package var time: Int64
        /// The attributes it was sent with (the uplift model's features).
        package var context: [ContextField]
    }

    /// One campaign's exposures.
    package struct Exposures: Sendable {
        package var arms: [String] = []
        package var byCustomer: [String: Exposure] = [:]
        /// Exposure events, repeats included.
        package var events = 0
        /// Repeats whose arm differed from the customer's first: a sender that switched arms.
        package var switchedArms = 0
    }

    /// One customer's outcomes, in arrival order (mostly time order).
    package struct Outcomes: Sendable {
        package var visits: [Int64] = []
        package var purchaseTimes: [Int64] = []
        package var purchaseRevenue: [Double] = []
    }

    package struct Contents: Sendable {
        package var campaigns: [String: Campaign] = [:]
        /// Campaign ids in the order they were defined.
        package var order: [String] = []
        package var exposures: [String: Exposures] = [:]
        package var outcomes: [String: Outcomes] = [:]
        /// Each customer's most recent exposure attributes, for scoring them.
        package var latestContext: [String: (time: Int64, context: [ContextField])] = [:]
        /// The newest event time seen (milliseconds).
        package var latest = Int64.min
        package var generation = 0
    }

    private let state = Mutex(Contents())
    private let catalogPrice: @Sendable (String) -> Double?

    /// - Parameter catalogPrice: an item's catalog price, for purchases that carry none.
    package init(catalogPrice: @escaping @Sendable (String) -> Double? = { _ in nil }) {
        self.catalogPrice = catalogPrice
    }

    /// Takes in a batch of durable events.
    package func apply(_ events: [Event]) {
        // Prices looked up before the lock: the catalog has its own.
        let prices: [Double] = events.map { event in
            event.type == .purchase ? (event.price ?? catalogPrice(event.item) ?? 0) * event.value : 0
        }
        state.withLock { state in
            for (index, event) in events.enumerated() where !event.user.isEmpty {
                state.latest = max(state.latest, event.timestamp)
                switch event.type {
                case .exposure:
                    guard let campaign = event.campaign, let arm = event.arm else { continue }
                    Self.expose(event.user, campaign: campaign, arm: arm, event: event, into: &state)
                case .view, .click, .addToCart:
                    state.outcomes[event.user, default: Outcomes()].visits.append(event.timestamp)
                case .purchase:
                    state.outcomes[event.user, default: Outcomes()].visits.append(event.timestamp)
                    state.outcomes[event.user, default: Outcomes()].purchaseTimes.append(event.timestamp)
                    state.outcomes[event.user, default: Outcomes()].purchaseRevenue.append(prices[index])
                case .impression, .rating, .returned:
                    continue
                }
            }
            state.generation += 1
        }
    }

    private static func expose(
        _ customer: String,
        campaign: String,
        arm: String,
        event: Event,
        into state: inout Contents
    ) {
        var exposures = state.exposures.removeValue(forKey: campaign) ?? Exposures()
        exposures.events += 1
        let armIndex: UInt8
        if let known = exposures.arms.firstIndex(of: arm) {
            armIndex = UInt8(known)
        } else if exposures.arms.count < Int(UInt8.max) {
            armIndex = UInt8(exposures.arms.count)
            exposures.arms.append(arm)
        } else {
            // More than 255 arms is not a campaign; the extra arms are counted, not read.
            exposures.switchedArms += 1
            state.exposures[campaign] = exposures
            return
        }
        if let first = exposures.byCustomer[customer] {
            if first.arm != armIndex { exposures.switchedArms += 1 }
        } else {
            exposures.byCustomer[customer] = Exposure(arm: armIndex, time: event.timestamp, context: event.context)
        }
        state.exposures[campaign] = exposures
        if state.latestContext[customer].map({ $0.time <= event.timestamp }) ?? true {
            state.latestContext[customer] = (event.timestamp, event.context)
        }
    }

    /// Adds a campaign.
    /// - Returns: false when one with its id exists (nothing changes).
    @discardableResult
    package func define(_ campaign: Campaign) -> Bool {
        state.withLock { state in
            guard state.campaigns[campaign.id] == nil else { return false }
            state.campaigns[campaign.id] = campaign
            state.order.append(campaign.id)
            state.generation += 1
            return true
        }
    }

    package func campaign(_ id: String) -> Campaign? { state.withLock { $0.campaigns[id] } }

    package var campaigns: [Campaign] { state.withLock { state in state.order.compactMap { state.campaigns[$0] } } }

    /// Drops an erased shopper's exposures, outcomes and attributes.
    package func forget(user: String) {
        state.withLock { state in
            state.outcomes.removeValue(forKey: user)
            state.latestContext.removeValue(forKey: user)
            for id in Array(state.exposures.keys) where state.exposures[id]?.byCustomer[user] != nil {
                state.exposures[id]?.byCustomer.removeValue(forKey: user)
            }
            state.generation += 1
        }
    }

    /// A frozen copy of everything.
    package var contents: Contents { state.withLock { $0 } }

    package var generation: Int { state.withLock { $0.generation } }

    /// One customer's latest exposure attributes.
    package func context(of customer: String) -> [ContextField]? {
        state.withLock { $0.latestContext[customer]?.context }
    }
}
