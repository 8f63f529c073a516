import CartwiseModels
import HTTPCore

/// `GET /recommend`, `POST /recommend` (anonymous sessions) and `GET /similar-items`.
///
/// Each request reads the model snapshot once. A user whose events arrived after that snapshot
/// was trained is folded in on the fly (one ALS user step against the item factors), so a purchase
/// changes the very next recommendation; unknown users get time-decayed popular items.
package struct RecommendRoutes: Sendable {
    package let models: ModelRegistry<RecommendSnapshot>
    package let store: EventStore
    /// Re-ranks ALS candidates with `rank=ctr`.
    package let ctr: CTRLearner?

    package init(models: ModelRegistry<RecommendSnapshot>, store: EventStore, ctr: CTRLearner? = nil) {
        self.models = models
        self.store = store
        self.ctr = ctr
    }

    /// How many of a user's items (by weight) fold-in uses at most: O(n k²) per request.
    static let historyLimit = 500

    /// A required id parameter, 1 to ``EventDecoder/maxIDBytes`` bytes like every stored id.
    static func identifier(_ request: HTTPRequest, _ name: String) throws(ProblemDetails) -> String {
        guard let value = request.queryValue(name), !value.isEmpty else {
            throw ProblemDetails(.badRequest, detail: "query parameter '\(name)' is required")
        }
        guard TextLength.fits(value, atMost: EventDecoder.maxIDBytes) else {
            throw ProblemDetails(
                .badRequest,
                detail: "query parameter '\(name)' must be at most \(EventDecoder.maxIDBytes) characters long"
            )
        }
        return value
    }

    package func register(on router: inout ServiceRoutes) {
        router.get("/recommend", access: .storefront) { request, _ in
            let user = try Self.identifier(request, "user")
            let requested = try RecommendFilters(query: request)
            let (filters, rerank) = try retrieval(for: requested)
            let snapshot = try current()
            // A user erased after this model was trained is unknown to it.
            let trainedRow = store.erased(user, after: snapshot.info.sequence) ? nil : snapshot.userIndex[user]
            // The common case: a user the model has seen whole reads the candidates ranked at
            // training time, explained from their history as of then (which is still theirs).
            if let row = trainedRow, !filters.exactExplanations,
                (store.lastSequence(user: user) ?? 0) <= snapshot.info.sequence,
                let picks = Recommender.cached(snapshot, user: row, filters: filters, store: store)
            {
                return answer(
                    user: user,
                    snapshot: snapshot,
                    source: "als",
                    picks: picks,
                    history: snapshot.candidates.history(row).map { (item: $0, weight: 0) },
                    filters: filters,
                    rerank: rerank
                )
            }
            let live = store.interactions(user: user)
            let known = Self.known(live?.weights ?? [], in: snapshot)
            let seen = Set(known.map(\.item))
            let history = Array(known.prefix(Self.historyLimit))
            if let row = trainedRow, (live?.lastSequence ?? 0) <= snapshot.info.sequence {
                let picks = Recommender.rank(
                    snapshot,
                    vector: Array(snapshot.factors.users.row(row)),
                    seen: seen,
                    filters: filters,
                    store: store
                )
                return answer(
                    user: user,
                    snapshot: snapshot,
                    source: "als",
                    picks: picks,
                    history: history,
                    filters: filters,
                    rerank: rerank
                )
            }
            return foldInOrPopular(user: user, snapshot: snapshot, known: known, filters: filters, rerank: rerank)
        }

        router.post("/recommend", access: .storefront) { request, _ in
            let body = try JSONBody.decode(SessionRequest.self, from: request)
            var filters = RecommendFilters()
            // Read as numbers and checked here: an integer past Int64 would otherwise fail the
            // whole body as "not valid JSON" instead of naming the field.
            guard let k = Self.integer(body.k, default: 10, in: 1...100) else {
                throw APIError.invalidField(field: "k", reason: "must be an integer from 1 to 100")
            }
            guard let offset = Self.integer(body.offset, default: 0, in: 0...1000) else {
                throw APIError.invalidField(field: "offset", reason: "must be an integer from 0 to 1000")
            }
            filters.k = k
            filters.offset = offset
            filters.exclude = Set(body.exclude ?? [])
            filters.category = body.category
            filters.availableOnly = body.available_only ?? false
            filters.includeSeen = body.include_seen ?? false
            filters.exactExplanations = body.explain == "exact"
            guard body.explain == nil || ["similarity", "exact"].contains(body.explain!) else {
                throw APIError.invalidField(field: "explain", reason: "must be similarity or exact")
            }
            guard body.items.count <= 1000 else {
                throw APIError.invalidField(field: "items", reason: "must hold at most 1000 items")
            }
            let snapshot = try current()
            let weights = body.items.map { (item: $0, weight: store.weights.view) }
            return foldInOrPopular(
                user: nil,
                snapshot: snapshot,
                known: Self.known(weights, in: snapshot),
                filters: filters
            )
        }

        router.get("/similar-items", access: .storefront) { request, _ in
            let item = try Self.identifier(request, "item")
            let filters = try RecommendFilters(query: request)
            let snapshot = try current()
            guard let index = snapshot.itemIndex[item] else {
                throw APIError.notFound("item '\(item)' is not in model version \(snapshot.version)")
            }
            let excluded = Set(filters.exclude.compactMap { snapshot.itemIndex[$0] })
            let inCategory = filters.category.map { snapshot.categoryItems[$0] ?? [] }
            let candidates = snapshot.factors.similar(to: index, k: (filters.k + filters.offset) * 3 + 10) { other in
                excluded.contains(other) || (inCategory.map { !$0.contains(Int32(other)) } ?? false)
            }
            let entries = store.catalogEntries(candidates.map { snapshot.itemNames[$0.item] })
            let kept = zip(candidates, entries).filter { candidate, entry in
                !(entry.map { !$0.recommendable } ?? filters.availableOnly)
            }.map(\.0).dropFirst(filters.offset).prefix(filters.k)
            let items = kept.map { candidate in
                "{\"item\":" + JSONString.quote(snapshot.itemNames[candidate.item]) + ",\"score\":"
                    + Self.number(candidate.score) + "}"
            }
            let body =
                "{\"item\":" + JSONString.quote(item) + ",\"model_version\":\(snapshot.version),\"items\":["
                + items.joined(separator: ",") + "]}"
            return HTTPResponse.json(Array(body.utf8))
        }
    }

    /// With `rank=ctr`: the click model to re-rank with, and filters that retrieve ten times the
    /// items asked for (at most 1,000) so that it has candidates to reorder.
    private func retrieval(for requested: RecommendFilters) throws(APIError) -> (RecommendFilters, Rerank?) {
        guard requested.rankByCTR else { return (requested, nil) }
        guard let model = ctr?.model else {
            throw .notReady("rank=ctr needs the click model, which has not seen a labelled impression yet")
        }
        var filters = requested
        filters.k = min(1000, (requested.k + requested.offset) * 10)
        filters.offset = 0
        return (filters, Rerank(model: model, requested: requested))
    }

    /// Re-ranking by predicted click probability, and the page the caller asked for.
    struct Rerank {
        var model: CTRModel
        var requested: RecommendFilters
    }

    /// Folds the user's (or session's) known items in, or falls back to popular items.
    private func foldInOrPopular(
        user: String?,
        snapshot: RecommendSnapshot,
        known: [(item: Int, weight: Float)],
        filters: RecommendFilters,
        rerank: Rerank? = nil
    ) -> HTTPResponse {
        let seen = Set(known.map(\.item))
        let history = Array(known.prefix(Self.historyLimit))
        if !history.isEmpty, let vector = snapshot.foldIn.userVector(history) {
            let picks = Recommender.rank(snapshot, vector: vector, seen: seen, filters: filters, store: store)
            return answer(
                user: user,
                snapshot: snapshot,
                source: "fold-in",
                picks: picks,
                history: history,
                filters: filters,
                rerank: rerank
            )
        }
        let picks = Recommender.popular(snapshot, seen: seen, filters: filters, store: store)
        return answer(
            user: user,
            snapshot: snapshot,
            source: "popular",
            picks: picks,
            history: [],
            filters: filters,
            rerank: rerank
        )
    }

    static func integer(_ value: Double?, default fallback: Int, in range: ClosedRange<Int>) -> Int? {
        guard let value else { return fallback }
        guard value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
            return nil
        }
        return Int(value)
    }

    struct SessionRequest: Decodable {
        var items: [String]
        var k: Double?
        var offset: Double?
        var exclude: [String]?
        var category: String?
        var available_only: Bool?
        var include_seen: Bool?
        var explain: String?
    }

    private func current() throws(APIError) -> RecommendSnapshot {
        guard let snapshot = models.model else {
            throw .notReady("no model has been trained yet; /readyz turns 200 when one is")
        }
        return snapshot
    }

    /// All of the user's items known to the model, heaviest first.
    package static func known(
        _ weights: [(item: String, weight: Float)],
        in snapshot: RecommendSnapshot
    ) -> [(item: Int, weight: Float)] {
        var known: [(item: Int, weight: Float)] = []
        var positions: [Int: Int] = [:]
        for (item, weight) in weights {
            guard let index = snapshot.itemIndex[item] else { continue }
            if let position = positions[index] {
                known[position].weight += weight
            } else {
                positions[index] = known.count
                known.append((index, weight))
            }
        }
        known.sort { $0.weight > $1.weight || ($0.weight == $1.weight && $0.item < $1.item) }
        return known
    }

    private func answer(
        user: String?,
        snapshot: RecommendSnapshot,
        source: String,
        picks: [Recommender.Pick],
        history: [(item: Int, weight: Float)],
        filters: RecommendFilters,
        rerank: Rerank? = nil
    ) -> HTTPResponse {
        var picks = picks
        var clicks: [Double] = []
        if let rerank {
            let margins = rerank.model.margins(
                user: user ?? "",
                timestamp: WallClock.milliseconds(),
                context: [],
                items: picks.map { RankRequest.Entry(item: snapshot.itemNames[$0.item]) },
                catalog: ctr?.hashedCatalog ?? CTRCatalog()
            )
            let ordered = CTRRoutes.order(margins, limit: rerank.requested.offset + rerank.requested.k)
                .dropFirst(rerank.requested.offset)
            picks = ordered.map { picks[$0.entry] }
            clicks = ordered.map { FTRLProximal.sigmoid($0.score) }
        }
        let explained = Array(history.prefix(50))
        let reasons: [Int?]
        if history.isEmpty {
            reasons = []
        } else if filters.exactExplanations {
            reasons = snapshot.foldIn.explain(explained, recommended: picks.map(\.item)).map { $0?.because }
        } else {
            reasons = snapshot.similarityReasons(explained, recommended: picks.map(\.item))
        }
        var body: [UInt8] = []
        body.reserveCapacity(128 + picks.count * 96)
        body.append(UInt8(ascii: "{"))
        if let user {
            body += #""user":"#.utf8
            JSONString.append(user, to: &body)
            body.append(UInt8(ascii: ","))
        }
        body += #""model_version":"#.utf8
        body += String(snapshot.version).utf8
        body += #","source":""#.utf8
        body += source.utf8
        if let rerank {
            body += #"","ranking":"ctr","ctr_model_version":"#.utf8
            body += String(rerank.model.version).utf8
            body += #","items":["#.utf8
        } else {
            body += #"","ranking":"als","items":["#.utf8
        }
        for (position, pick) in picks.enumerated() {
            if position > 0 { body.append(UInt8(ascii: ",")) }
            body += #"{"item":"#.utf8
            JSONString.append(snapshot.itemNames[pick.item], to: &body)
            body += #","score":"#.utf8
            body += Self.number(pick.score).utf8
            if position < clicks.count {
                body += #","p_click":"#.utf8
                body += CTRRoutes.probability(clicks[position]).utf8
            }
            if position < reasons.count, let reason = reasons[position] {
                body += #","because":"#.utf8
                JSONString.append(snapshot.itemNames[reason], to: &body)
            }
            body.append(UInt8(ascii: "}"))
        }
        body += "]}".utf8
        return HTTPResponse.json(body)
    }

    static func number(_ value: Float) -> String { JSONWriter.number(Double(value), places: 6) }
}
