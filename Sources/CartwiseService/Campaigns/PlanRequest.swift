/// `POST /campaigns/plan`'s body: offers, candidates (customers, or segments standing for
/// `count` alike customers) with each offer's predicted uplift and the value of a response, a
/// total budget and per-channel caps.
package struct PlanRequest: Sendable, Equatable {
    package struct Offer: Sendable, Equatable {
        package var id: String
        package var channel: String
        /// Cost of one contact.
        package var cost: Double
        /// Cost to the shop of each redemption (a discount's face value).
        package var redemptionCost: Double
        /// Contacts the offer must get (printed coupons already paid for), and may get.
        package var minimum: Int
        package var maximum: Int?
    }

    package struct Candidate: Sendable, Equatable {
        /// The customer's or the segment's id.
        package var id: String
        package var isSegment: Bool
        /// Customers it stands for (1 for a customer).
        package var count: Int
        /// The value of one response (a margin, or an expected order value).
        package var value: Double
        /// Per offer (by position in ``PlanRequest/offers``): the predicted uplift, and the
        /// response probability when contacted (what redemptions cost), default the uplift.
        package var uplift: [(offer: Int, uplift: Double, response: Double)]

        package static func == (lhs: Candidate, rhs: Candidate) -> Bool {
            lhs.id == rhs.id && lhs.isSegment == rhs.isSegment && lhs.count == rhs.count && lhs.value == rhs.value
                && lhs.uplift.elementsEqual(rhs.uplift) { $0 == $1 }
        }
    }

    package var budget: Double
    package var offers: [Offer]
    package var channelCaps: [String: Int]
    package var candidates: [Candidate]

    package static let maxOffers = 100
    package static let maxCandidates = 1_000_000

    /// - Throws: ``APIError`` naming the first field at fault.
    package init(body: [UInt8]) throws(APIError) {
        let fields = try JSONFields(
            try JSONTree.parse(body),
            known: ["budget", "offers", "channel_caps", "candidates"]
        )
        budget = try fields.number("budget", in: 0...Magnitude.maxMoney, required: true)!
        let offerTrees = try fields.array("offers", required: true, maxCount: Self.maxOffers)!
        guard !offerTrees.isEmpty else { throw .invalidField(field: "offers", reason: "must hold at least one offer") }
        var offers: [Offer] = []
        var offerIndex: [String: Int] = [:]
        for (index, tree) in offerTrees.enumerated() {
            let offer = try JSONFields(
                tree,
                path: "offers[\(index)]",
                known: ["id", "channel", "cost", "redemption_cost", "min", "max"]
            )
            let id = try offer.string("id", required: true, maxBytes: 128)!
            guard offerIndex[id] == nil else {
                throw .invalidField(field: offer.field("id"), reason: "repeats offer '\(id)'")
            }
            let minimum = try offer.integer("min", in: 0...Int(Int32.max)) ?? 0
            let maximum = try offer.integer("max", in: 0...Int(Int32.max))
            if let maximum, maximum < minimum {
                throw .invalidField(field: offer.field("max"), reason: "must not be below min (\(minimum))")
            }
            offerIndex[id] = offers.count
            offers.append(
                Offer(
                    id: id,
                    channel: try offer.string("channel") ?? "email",
                    cost: try offer.number("cost", in: 0...Magnitude.maxMoney, required: true)!,
                    redemptionCost: try offer.number("redemption_cost", in: 0...Magnitude.maxMoney) ?? 0,
                    minimum: minimum,
                    maximum: maximum
                )
            )
        }
        self.offers = offers
        var caps: [String: Int] = [:]
        if let tree = fields.raw("channel_caps") {
            guard case .object(let members) = tree else {
                throw .invalidField(field: "channel_caps", reason: "must be an object of channel: most contacts")
            }
            let channels = Set(offers.map(\.channel))
            for member in members {
                let field = "channel_caps." + member.key
                guard channels.contains(member.key) else {
                    throw .invalidField(field: field, reason: "names no offer's channel")
                }
                guard case .number(let cap) = member.value, cap.rounded() == cap, cap >= 0, cap <= Double(Int32.max)
                else {
                    throw .invalidField(field: field, reason: "must be an integer from 0 to \(Int32.max)")
                }
                caps[member.key] = Int(cap)
            }
        }
        channelCaps = caps
        let candidateTrees = try fields.array("candidates", required: true, maxCount: Self.maxCandidates)!
        var candidates: [Candidate] = []
        candidates.reserveCapacity(candidateTrees.count)
        for (index, tree) in candidateTrees.enumerated() {
            candidates.append(try Self.candidate(tree, path: "candidates[\(index)]", offerIndex: offerIndex))
        }
        self.candidates = candidates
    }

    private static func candidate(
        _ tree: JSONTree,
        path: String,
        offerIndex: [String: Int]
    ) throws(APIError) -> Candidate {
        let fields = try JSONFields(
            tree,
            path: path,
            known: ["customer", "segment", "count", "value", "uplift", "response"]
        )
        let customer = try fields.string("customer", maxBytes: EventDecoder.maxIDBytes)
        let segment = try fields.string("segment", maxBytes: EventDecoder.maxIDBytes)
        guard (customer == nil) != (segment == nil) else {
            throw .invalidField(field: path, reason: "must name a customer or a segment (one of them)")
        }
        let count = try fields.integer("count", in: 1...1_000_000_000) ?? 1
        if customer != nil && count != 1 {
            throw .invalidField(
                field: fields.field("count"),
                reason: "must be 1 for a customer (segments stand for many)"
            )
        }
        let value = try fields.number("value", in: 0...Magnitude.maxMoney, required: true)!
        guard let upliftTree = fields.raw("uplift"), case .object(let members) = upliftTree, !members.isEmpty else {
            throw .invalidField(
                field: fields.field("uplift"),
                reason: "must be an object of offer id: predicted uplift"
            )
        }
        var responses: [Int: Double] = [:]
        if let responseTree = fields.raw("response") {
            guard case .object(let responseMembers) = responseTree else {
                throw .invalidField(
                    field: fields.field("response"),
                    reason: "must be an object of offer id: response probability"
                )
            }
            for member in responseMembers {
                let field = fields.field("response") + "." + member.key
                guard let offer = offerIndex[member.key] else {
                    throw .invalidField(field: field, reason: "is not an offer")
                }
                guard case .number(let probability) = member.value, probability >= 0, probability <= 1 else {
                    throw .invalidField(field: field, reason: "must be a probability from 0 to 1")
                }
                responses[offer] = probability
            }
        }
        var uplift: [(offer: Int, uplift: Double, response: Double)] = []
        for member in members {
            let field = fields.field("uplift") + "." + member.key
            guard let offer = offerIndex[member.key] else {
                throw .invalidField(field: field, reason: "is not an offer")
            }
            guard case .number(let predicted) = member.value, predicted >= -1, predicted <= 1 else {
                throw .invalidField(field: field, reason: "must be a number from -1 to 1")
            }
            guard !uplift.contains(where: { $0.offer == offer }) else {
                throw .invalidField(field: field, reason: "repeats the offer")
            }
            uplift.append((offer, predicted, responses[offer] ?? max(0, predicted)))
        }
        return Candidate(
            id: customer ?? segment!,
            isSegment: segment != nil,
            count: count,
            value: value,
            uplift: uplift
        )
    }
}
