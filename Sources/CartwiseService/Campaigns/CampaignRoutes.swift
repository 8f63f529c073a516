import CartwiseModels
import HTTPCore

/// `/campaigns`: define and list campaigns, the hash assignment of a customer, the readout,
/// the audience by expected uplift, and the budget plan.
struct CampaignRoutes: Sendable {
    let ledger: CampaignLedger
    let trainer: UpliftTrainer
    let customers: CustomerTrainer
    let storage: StartedPart<LogWriter>
    let settings: CampaignSettings
    let pool: BlockingPool

    static let maxAudience = 1_000_000

    func register(on routes: inout ServiceRoutes) {
        routes.onBlocking(.post, "/campaigns", access: .ops, pool: pool) { request, _ in
            let campaign = try CampaignDecoder.decode(request.body, now: WallClock.milliseconds(), settings: settings)
            guard ledger.campaign(campaign.id) == nil else {
                throw APIError.conflict(field: "id", reason: "names campaign '\(campaign.id)', which exists")
            }
            // Durable before it is visible: a campaign answered 201 survives a crash.
            _ = try storage.get.write(Array(CampaignEncoding.campaign(campaign, audienceList: true).utf8))
            guard ledger.define(campaign) else {
                throw APIError.conflict(field: "id", reason: "names campaign '\(campaign.id)', which exists")
            }
            var response = HTTPResponse.json(
                Array(CampaignEncoding.campaign(campaign, audienceList: false).utf8),
                status: .created
            )
            response.headers.set("Location", "/campaigns/" + campaign.id)
            return response
        }

        routes.get("/campaigns", access: .ops) { _, _ in
            let list = ledger.campaigns.map { CampaignEncoding.campaign($0, audienceList: false) }
            return HTTPResponse.json(Array(("{\"campaigns\":[" + list.joined(separator: ",") + "]}").utf8))
        }

        routes.get("/campaigns/{id}", access: .ops) { _, parameters in
            let campaign = try campaign(parameters)
            return HTTPResponse.json(Array(CampaignEncoding.campaign(campaign, audienceList: false).utf8))
        }

        routes.get("/campaigns/{id}/assignment/{customer}", access: .any([.ops, .storefront])) { _, parameters in
            let campaign = try campaign(parameters)
            let customer = try parameters.require("customer")
            guard customer.utf8.count <= EventDecoder.maxIDBytes else {
                throw APIError.invalidField(
                    field: "customer",
                    reason: "must be 1 to \(EventDecoder.maxIDBytes) bytes long"
                )
            }
            let unit = CampaignAssignment.unit(campaign: campaign.id, customer: customer, seed: campaign.seed)
            var out: [UInt8] = Array("{\"campaign\":".utf8)
            JSONString.append(campaign.id, to: &out)
            out += ",\"customer\":".utf8
            JSONString.append(customer, to: &out)
            out += ",\"arm\":\"\(campaign.arm(for: customer))\",\"control\":\(campaign.isControl(customer))".utf8
            out +=
                ",\"hash_unit\":\(JSONWriter.number(unit)),\"control_share\":\(JSONWriter.number(campaign.controlShare))}"
                .utf8
            return HTTPResponse.json(out)
        }

        routes.onBlocking(.get, "/campaigns/{id}/report", access: .ops, pool: pool) { request, parameters in
            let campaign = try campaign(parameters)
            let level = try request.queryDouble("level", default: 0.95, range: 0.5...0.999)!
            let model = customers.model
            let report = CampaignReport.build(campaign, contents: ledger.contents, level: level) { customer in
                guard let model, let index = model.index[customer],
                    let segment = model.segment(Int(index), asOf: model.asOf)
                else { return nil }
                return (model.segments[segment].id, model.segments[segment].name)
            }
            return HTTPResponse.json(report.encode())
        }

        routes.onBlocking(.post, "/campaigns/{id}/audience", access: .ops, pool: pool) { request, parameters in
            let campaign = try campaign(parameters)
            let budget = try request.queryDouble("budget", default: nil, range: 0...Magnitude.maxMoney)
            let limit = try request.queryInt("limit", default: Self.maxAudience, range: 1...Self.maxAudience)!
            return try audience(campaign, budget: budget, limit: limit)
        }

        routes.onBlocking(.post, "/campaigns/plan", access: .ops, pool: pool) { request, _ in
            let plan = try PlanRequest(body: request.body)
            return HTTPResponse.json(
                try CampaignPlanner(request: plan, seconds: settings.planSeconds, relativeGap: settings.planRelativeGap)
                    .solve()
            )
        }
    }

    private func campaign(_ parameters: RouteParameters) throws -> Campaign {
        let id = try parameters.require("id")
        guard let campaign = ledger.campaign(id) else {
            throw APIError.notFound("campaign '\(id)' is not defined (GET /campaigns lists them)")
        }
        return campaign
    }

    /// The scorer of the uplift model in service.
    func scorer() throws(APIError) -> UpliftScorer {
        guard let published = trainer.models.current else {
            throw .notReady(
                "the uplift model has not been trained yet: it needs past campaigns' exposure events with a closed "
                    + "attribution window, in both arms (POST /models/uplift/train)"
            )
        }
        let latest = ledger.contents.latest
        return UpliftScorer(
            snapshot: published.model,
            version: published.card.version,
            ledger: ledger,
            history: { customers.ledger.record(of: $0) },
            day: latest == .min ? 0 : CustomerLedger.day(latest)
        )
    }

    /// The campaign's audience, minus its hash control group, best expected profit first
    /// (best uplift first when no value is known), until the budget is spent.
    private func audience(_ campaign: Campaign, budget: Double?, limit: Int) throws -> HTTPResponse {
        let scorer = try scorer()
        let model = customers.model
        var candidates: [String]
        switch campaign.audience {
        case .customers(let list): candidates = list
        case .segments(let ids):
            guard let model else {
                throw APIError.notReady(
                    "the campaign's audience is segments, and the customer model has not been trained yet"
                )
            }
            candidates = []
            for id in ids {
                guard let segment = model.segment(id: id) else {
                    throw APIError.conflict(
                        field: "audience.segments",
                        reason: "names segment '\(id)', which the customer model in service does not have"
                    )
                }
                candidates += model.members[segment].map { model.ids[Int($0)] }
            }
        case .everyone:
            var known = Set(model?.ids ?? [])
            known.formUnion(ledger.contents.latestContext.keys)
            candidates = known.sorted()
        }
        var heldOut = 0
        var scored:
            [(
                customer: String, treated: Double, control: Double, uplift: Double, value: Double, cost: Double,
                profit: Double
            )] = []
        scored.reserveCapacity(candidates.count)
        for customer in candidates {
            if campaign.isControl(customer) {
                heldOut += 1
                continue
            }
            let score = scorer.score(customer)
            let value = campaign.valuePerResponse ?? orderValue(customer, model) ?? 0
            let cost = campaign.costPerContact + campaign.offerCost * score.treated
            let profit = score.uplift * value - cost
            scored.append((customer, score.treated, score.control, score.uplift, value, cost, profit))
        }
        let byProfit = scored.contains { $0.value > 0 }
        scored.sort {
            let left = byProfit ? $0.profit : $0.uplift
            let right = byProfit ? $1.profit : $1.uplift
            return left != right ? left > right : $0.customer < $1.customer
        }
        var out: [UInt8] = Array("{\"campaign\":".utf8)
        JSONString.append(campaign.id, to: &out)
        out += ",\"model_version\":\(scorer.version),\"ranked_by\":\"\(byProfit ? "expected_profit" : "uplift")\"".utf8
        out +=
            ",\"candidates\":\(candidates.count),\"held_out_control\":\(heldOut),\"budget\":\(JSONWriter.number(budget))"
            .utf8
        out += ",\"contacts\":[".utf8
        var spent = 0.0
        var responses = 0.0
        var profit = 0.0
        var written = 0
        for entry in scored where written < limit {
            if byProfit && entry.profit <= 0 { break }
            if let budget, spent + entry.cost > budget { break }
            if written > 0 { out.append(44) }
            written += 1
            spent += entry.cost
            responses += entry.uplift
            profit += entry.profit
            out += "{\"customer\":".utf8
            JSONString.append(entry.customer, to: &out)
            out +=
                ",\"uplift\":\(JSONWriter.number(entry.uplift)),\"treated_response\":\(JSONWriter.number(entry.treated))"
                .utf8
            out +=
                ",\"control_response\":\(JSONWriter.number(entry.control)),\"value\":\(JSONWriter.number(entry.value))"
                .utf8
            out +=
                ",\"cost\":\(JSONWriter.number(entry.cost)),\"expected_profit\":\(JSONWriter.number(entry.profit))}"
                .utf8
        }
        out += "],\"selected\":\(written),\"spend\":\(JSONWriter.number(spent))".utf8
        out += ",\"expected_incremental_responses\":\(JSONWriter.number(responses))".utf8
        out += ",\"expected_incremental_profit\":\(JSONWriter.number(profit))}".utf8
        return HTTPResponse.json(out)
    }

    /// A customer's expected order value: the customer model's spend per expected purchase.
    private func orderValue(_ customer: String, _ model: CustomerModel?) -> Double? {
        guard let model, let index = model.index[customer] else { return nil }
        let purchases = model.expectedPurchases[Int(index)]
        let spend = model.expectedSpend[Int(index)]
        guard purchases > 0, spend.isFinite else { return nil }
        return spend / purchases
    }
}
