import CartwiseModels
import HTTPCore

/// `POST /score-order`, `POST /labels`, `GET /score-order/thresholds` and `GET /models/risk`.
///
/// A decision is answered only once its audit entry is durable (group-committed with the other
/// decisions of the moment), so every answer the risk team acts on can be defended later.
package struct RiskRoutes: Sendable {
    package let risk: OrderRisk
    package let storage: RiskStorage
    package let store: EventStore
    /// Runs the thresholds dry run: it re-scores up to `risk.max_orders` orders.
    package let pool: BlockingPool
    package let metrics: ServiceMetrics
    package let erased: ErasedUsers

    package init(
        risk: OrderRisk,
        storage: RiskStorage,
        store: EventStore,
        pool: BlockingPool,
        metrics: ServiceMetrics,
        erased: ErasedUsers
    ) {
        self.risk = risk
        self.storage = storage
        self.store = store
        self.pool = pool
        self.metrics = metrics
        self.erased = erased
    }

    package func register(on router: inout ServiceRoutes) {
        router.onDeferred(.post, "/score-order", access: .risk) { request, _, promise in
            try JSONBody.requireJSON(request)
            let now = WallClock.milliseconds()
            let order = try OrderDecoder.decode(request.body, now: now)
            let decided = risk.score(order, catalog: { store.item($0)?.categories }, now: now)
            let answer = Self.answer(decided)
            storage.audit.submit(AuditEntry.encode(decided), answering: promise) { [risk, metrics] location in
                risk.accept(decided.record, score: decided.score, at: location)
                metrics.riskDecision(outcome: decided.decision.outcome.rawValue, modelVersion: decided.modelVersion)
                return HTTPResponse.json(answer)
            }
        }

        router.onDeferred(.post, "/labels", access: .risk) { request, _, promise in
            try JSONBody.requireJSON(request)
            let label = try LabelRequest.decode(request.body, now: WallClock.milliseconds())
            guard risk.knows(label.orderID) else {
                throw APIError.notFound(
                    "order '\(label.orderID)' is not known: never scored or imported, or older than the "
                        + "risk.max_orders orders kept in memory"
                )
            }
            storage.labels.submit(label.encode(), answering: promise) { [risk] _ in
                risk.label(label.orderID, fraud: label.fraud)
                let counts = risk.counts
                var out: [UInt8] = Array(#"{"order_id":"#.utf8)
                JSONString.append(label.orderID, to: &out)
                out += #","label":"\#(label.fraud ? "fraud" : "legit")","source":"\#(label.source)""#.utf8
                out += #","labelled_orders":\#(counts.labelled),"fraud_orders":\#(counts.frauds)}"#.utf8
                return HTTPResponse.json(out)
            }
        }

        router.onBlocking(.get, "/score-order/thresholds", access: .risk, pool: pool) { request, _ in
            let review = try request.queryDouble("review", default: risk.settings.reviewThreshold, range: 0...1)!
            let decline = try request.queryDouble("decline", default: risk.settings.declineThreshold, range: 0...1)!
            guard review <= decline else {
                throw APIError.invalidField(
                    field: "review",
                    reason:
                        "must not exceed decline (\(JSONWriter.number(decline))): orders above review are reviewed, above decline declined"
                )
            }
            let rescore: Bool
            switch request.queryValue("rescore") {
            case nil, "false": rescore = false
            case "true": rescore = risk.model != nil
            default: throw APIError.invalidField(field: "rescore", reason: "must be true or false")
            }
            let run = risk.dryRun(review: review, decline: decline, rescore: rescore)
            return HTTPResponse.json(Self.describe(run, review, decline, rescored: rescore))
        }

        // The stored decision: the audit entry as written (email and IP only as salted hashes).
        // `thresholds` is the dry run's path, so an order with that id cannot be looked up here.
        router.onBlocking(.get, "/score-order/{order_id}", access: .risk, pool: pool) { _, parameters in
            let id = try parameters.require("order_id")
            guard let location = risk.decisionLocation(id) else {
                throw APIError.notFound(
                    "no decision for order '\(id)': never scored, or older than the risk.max_orders orders kept in memory"
                )
            }
            let entry = try storage.audit.log.read(location)
            // An erased shopper's decisions keep the decision, not the person.
            if let user = AuditEntry.user(of: entry), erased.contains(user) {
                return HTTPResponse.json(AuditEntry.redacted(entry))
            }
            return HTTPResponse.json(entry)
        }

        router.get("/models/risk", access: .any([.risk, .ops])) { _, _ in
            let counts = risk.counts
            var out: [UInt8] = []
            out +=
                #"{"orders":\#(counts.orders),"labelled_orders":\#(counts.labelled),"fraud_orders":\#(counts.frauds)"#
                .utf8
            out +=
                #","min_labels":\#(risk.settings.minLabels),"min_fraud_labels":\#(risk.settings.minFraudLabels)"#.utf8
            if let model = risk.model {
                let info = model.info
                out +=
                    #","model":"gbdt","version":\#(info.version),"trained_at":"\#(Timestamp.format(info.trainedAt))""#
                    .utf8
                out += #","trained_on_orders":\#(info.orders),"trained_on_frauds":\#(info.frauds)"#.utf8
                out += #","training_seconds":"#.utf8
                JSONWriter.append((info.seconds * 1000).rounded() / 1000, to: &out)
                out += #","trees":\#(model.trees.trees.count),"features":["#.utf8
                for (index, name) in model.names.enumerated() {
                    if index > 0 { out += ",".utf8 }
                    JSONString.append(name, to: &out)
                }
                out += "]}".utf8
            } else {
                out += #","model":"rules","version":0}"#.utf8
            }
            return HTTPResponse.json(out)
        }
    }

    package static func answer(_ decided: AuditEntry.Decided) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out += #"{"order_id":"#.utf8
        JSONString.append(decided.order.id, to: &out)
        // Full precision: fraud scores are mostly tiny, and rounding them would tie orders a
        // risk team ranks.
        out += #","score":"#.utf8
        JSONWriter.append(decided.score, to: &out)
        out +=
            #","risk_level":"\#(decided.decision.riskLevel)","decision":"\#(decided.decision.outcome.rawValue)""#.utf8
        out += #","reasons":"#.utf8
        out += decided.reasonsJSON
        out += #","rules":["#.utf8
        for (index, rule) in decided.decision.rules.enumerated() {
            if index > 0 { out += ",".utf8 }
            JSONString.append(rule, to: &out)
        }
        out += #"],"model":"\#(decided.model)","model_version":\#(decided.modelVersion)}"#.utf8
        return out
    }

    static func describe(_ run: OrderRisk.DryRun, _ review: Double, _ decline: Double, rescored: Bool) -> [UInt8] {
        func cut(_ cut: OrderRisk.Cut) -> String {
            func optional(_ value: Double?) -> String { value.map { String(($0 * 1e4).rounded() / 1e4) } ?? "null" }
            return #"{"flagged":\#(cut.flagged),"frauds_flagged":\#(cut.fraudsFlagged),"#
                + #""precision":\#(optional(cut.precision)),"recall":\#(optional(cut.recall))}"#
        }
        let text =
            #"{"review":\#(review),"decline":\#(decline),"scores":"\#(rescored ? "current_model" : "decided")","#
            + #""orders":\#(run.orders),"approve":\#(run.approve),"#
            + #""review_count":\#(run.review),"decline_count":\#(run.decline),"labelled":\#(run.labelled),"#
            + #""frauds":\#(run.frauds),"review_cut":\#(cut(run.reviewCut)),"decline_cut":\#(cut(run.declineCut))}"#
        return Array(text.utf8)
    }
}
