import CartwiseModels
import HTTPCore

/// `POST /rank` (items ordered by the click model's probability) and `GET /models/ctr`.
package struct CTRRoutes: Sendable {
    package let learner: CTRLearner
    package let store: EventStore

    package init(learner: CTRLearner, store: EventStore) {
        self.learner = learner
        self.store = store
    }

    package func register(on router: inout ServiceRoutes) {
        router.post("/rank", access: .storefront) { request, _ in
            try JSONBody.requireJSON(request)
            let body = try RankRequest(body: request.body, now: WallClock.milliseconds())
            guard let model = learner.model else {
                throw APIError.notReady("the click model has not seen a labelled impression yet")
            }
            let ranked = Self.rank(body, model: model, catalog: learner.hashedCatalog)
            return HTTPResponse.json(Self.answer(body, ranked: ranked, version: model.version))
        }

        router.get("/models/ctr", access: .ops) { _, _ in
            guard let model = learner.model else {
                throw APIError.notFound("the click model has not seen a labelled impression yet")
            }
            return HTTPResponse.json(Array(Self.describe(model, backlog: learner.backlog).utf8))
        }
    }

    /// The body of `POST /rank`'s answer.
    package static func answer(
        _ request: RankRequest,
        ranked: [(entry: Int, probability: Double)],
        version: UInt64
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + ranked.count * 48)
        out += "{".utf8
        if !request.user.isEmpty {
            out += #""user":"#.utf8
            JSONString.append(request.user, to: &out)
            out += ",".utf8
        }
        out += #""model_version":"#.utf8
        out += String(version).utf8
        out += #","ranking":"ctr","items":["#.utf8
        for (position, pick) in ranked.enumerated() {
            if position > 0 { out += ",".utf8 }
            out += #"{"item":"#.utf8
            JSONString.append(request.items[pick.entry].item, to: &out)
            out += #","p_click":"#.utf8
            out += Self.probability(pick.probability).utf8
            out += "}".utf8
        }
        out += "]}".utf8
        return out
    }

    /// Scores every entry; the best `request.k`, best first (ties keep the request's order).
    package static func rank(
        _ request: RankRequest,
        model: CTRModel,
        catalog: CTRCatalog
    ) -> [(entry: Int, probability: Double)] {
        let margins = model.margins(
            user: request.user,
            timestamp: request.timestamp,
            context: request.context,
            items: request.items,
            itemContexts: request.itemContexts,
            catalog: catalog
        )
        // Ordered by log-odds; only the k returned become probabilities (one `exp` each).
        return order(margins, limit: request.k).map { ($0.entry, FTRLProximal.sigmoid($0.score)) }
    }

    /// The `limit` best positions by score (a probability or its log-odds), best first; ties
    /// keep the given order.
    ///
    /// A storefront ranks 100 items to show 10: keeping a sorted list of the best `limit` seen
    /// costs one comparison for most items, where sorting all of them cost as much as parsing
    /// the request.
    package static func order(_ scores: [Double], limit: Int) -> [(entry: Int, score: Double)] {
        let limit = max(0, min(limit, scores.count))
        guard limit > 0 else { return [] }
        if limit * 4 >= scores.count {
            return Array(
                scores.enumerated().map { (entry: $0.offset, score: $0.element) }.sorted {
                    $0.score > $1.score || ($0.score == $1.score && $0.entry < $1.entry)
                }.prefix(limit)
            )
        }
        var best: [(entry: Int, score: Double)] = []
        best.reserveCapacity(limit + 1)
        for (entry, score) in scores.enumerated() {
            // Entries come in request order, so an equal score never displaces one already kept.
            if best.count == limit, let last = best.last, !(score > last.score) { continue }
            var low = 0
            var high = best.count
            while low < high {
                let middle = (low + high) / 2
                if best[middle].score >= score { low = middle + 1 } else { high = middle }
            }
            best.insert((entry, score), at: low)
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
