import CartwiseModels
package import HTTPCore

/// `POST /rank` (items ordered by the click model's probability) and `GET /models/ctr`.
package struct CTRRoutes: Sendable {
    package let learner: CTRLearner
    package let store: EventStore

    package init(learner: CTRLearner, store: EventStore) {
        self.learner = learner
        self.store = store
    }

    package func register(on router: inout RouterBuilder) {
        router.post("/rank") { request, _ in
            try JSONBody.requireJSON(request)
            let body = try RankRequest(body: request.body, now: Trainer.wallClockMilliseconds())
            guard let model = learner.model else {
                throw APIError.notReady("the click model has not seen a labelled impression yet")
            }
            let ranked = Self.rank(body, model: model, catalog: learner.hashedCatalog)
            var out: [UInt8] = []
            out.reserveCapacity(96 + ranked.count * 48)
            out += "{".utf8
            if !body.user.isEmpty {
                out += #""user":"#.utf8
                JSONString.append(body.user, to: &out)
                out += ",".utf8
            }
            out += #""model_version":"#.utf8
            out += String(model.version).utf8
            out += #","ranking":"ctr","items":["#.utf8
            for (position, pick) in ranked.enumerated() {
                if position > 0 { out += ",".utf8 }
                out += #"{"item":"#.utf8
                JSONString.append(body.items[pick.entry].item, to: &out)
                out += #","p_click":"#.utf8
                out += Self.probability(pick.probability).utf8
                out += "}".utf8
            }
            out += "]}".utf8
            return HTTPResponse.json(out)
        }

        router.get("/models/ctr") { _, _ in
            guard let model = learner.model else {
                throw APIError.notFound("the click model has not seen a labelled impression yet")
            }
            return HTTPResponse.json(Array(Self.describe(model, backlog: learner.backlog).utf8))
        }
    }

    /// Scores every entry; the best `request.k`, best first (ties keep the request's order).
    package static func rank(
        _ request: RankRequest,
        model: CTRModel,
        catalog: [String: CTRCatalogItem]
    ) -> [(entry: Int, probability: Double)] {
        order(
            model.probabilities(
                user: request.user,
                timestamp: request.timestamp,
                context: request.context,
                items: request.items,
                catalog: catalog
            ),
            limit: request.k
        )
    }

    /// The `limit` best positions by probability, best first; ties keep the given order.
    ///
    /// A storefront ranks 100 items to show 10: keeping a sorted list of the best `limit` seen
    /// costs one comparison for most items, where sorting all of them cost as much as parsing
    /// the request.
    package static func order(_ probabilities: [Double], limit: Int) -> [(entry: Int, probability: Double)] {
        let limit = max(0, min(limit, probabilities.count))
        guard limit > 0 else { return [] }
        if limit * 4 >= probabilities.count {
            return Array(
                probabilities.enumerated().map { (entry: $0.offset, probability: $0.element) }.sorted {
                    $0.probability > $1.probability || ($0.probability == $1.probability && $0.entry < $1.entry)
                }.prefix(limit)
            )
        }
        var best: [(entry: Int, probability: Double)] = []
        best.reserveCapacity(limit + 1)
        for (entry, probability) in probabilities.enumerated() {
            // Entries come in request order, so an equal probability never displaces one already kept.
            if best.count == limit, let last = best.last, !(probability > last.probability) { continue }
            var low = 0
            var high = best.count
            while low < high {
                let middle = (low + high) / 2
                if best[middle].probability >= probability { low = middle + 1 } else { high = middle }
            }
            best.insert((entry, probability), at: low)
            if best.count > limit { best.removeLast() }
        }
        return best
    }

    /// Probabilities to 6 significant digits: enough for log loss near 1e-6, short on the wire.
    static func probability(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var digits = 6
        var scale = 1.0
        var magnitude = abs(value)
        while magnitude < 0.1 && magnitude > 0 && digits < 15 {
            magnitude *= 10
            digits += 1
        }
        for _ in 0..<digits { scale *= 10 }
        return String((value * scale).rounded() / scale)
    }

    static func describe(_ model: CTRModel, backlog: Int) -> String {
        let info = model.info
        let deciles = info.deciles.map { decile in
            "{\"count\":\(decile.count),\"mean_predicted\":\(probability(decile.meanPredicted)),"
                + "\"observed_rate\":\(probability(decile.observedRate))}"
        }
        let crosses = model.features.crosses.map { JSONString.quote($0.description) }
        return "{\"version\":\(info.version),\"published_at\":\(JSONString.quote(Timestamp.format(info.publishedAt))),"
            + "\"examples\":\(info.examples),\"positives\":\(info.positives),"
            + "\"progressive_log_loss\":\(probability(info.logLoss)),"
            + "\"calibration_deciles\":[" + deciles.joined(separator: ",") + "],"
            + "\"non_zero_weights\":\(info.nonZeroWeights),\"hash_bits\":\(model.features.hasher.bits),"
            + "\"crosses\":[" + crosses.joined(separator: ",") + "],"
            + "\"pending_impressions\":\(info.pendingImpressions),\"expired_as_negative\":\(info.expiredAsNegative),"
            + "\"clicks_without_impression\":\(info.lateClicks),\"backlog\":\(backlog)}"
    }
}
