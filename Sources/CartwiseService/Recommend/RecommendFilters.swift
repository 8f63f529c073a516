import CartwiseModels
package import HTTPCore

/// The filters `/recommend` and `/similar-items` share, from the query or a JSON body.
package struct RecommendFilters: Sendable {
    package var k = 10
    package var offset = 0
    package var exclude: Set<String> = []
    package var category: String?
    /// Only items in the catalog and available; by default unknown items are allowed and only
    /// sold-out ones are left out.
    package var availableOnly = false
    package var includeSeen = false
    /// `because` from the exact ALS decomposition (a k x k solve per request) instead of the
    /// default item-item similarity.
    package var exactExplanations = false
    /// `rank=ctr`: re-rank ALS candidates by the click model's probability.
    package var rankByCTR = false

    package init() {}

    /// Reads `k`, `offset`, `exclude`, `category`, `available_only` and `include_seen`.
    /// - Throws: a 400 ``ProblemDetails`` naming the parameter.
    package init(query request: HTTPRequest) throws(ProblemDetails) {
        k = try request.queryInt("k", default: 10, range: 1...100)!
        offset = try request.queryInt("offset", default: 0, range: 0...1000)!
        exclude = Set(request.queryList("exclude"))
        category = request.queryValue("category").flatMap { $0.isEmpty ? nil : $0 }
        availableOnly = try request.queryBool("available_only", default: false)
        includeSeen = try request.queryBool("include_seen", default: false)
        switch request.queryValue("explain") ?? "similarity" {
        case "similarity": exactExplanations = false
        case "exact": exactExplanations = true
        default: throw ProblemDetails(.badRequest, detail: "query parameter 'explain' must be similarity or exact")
        }
        switch request.queryValue("rank") ?? "als" {
        case "als": rankByCTR = false
        case "ctr": rankByCTR = true
        default: throw ProblemDetails(.badRequest, detail: "query parameter 'rank' must be als or ctr")
        }
    }
}

/// Scores items for a user vector and applies the filters, asking the live catalog only about
/// the candidates (so a catalog change counts at once, without retraining).
package enum Recommender {
    package struct Pick: Sendable {
        package var item: Int
        package var score: Float
    }

    /// The best items for `vector` after the filters, best first, `offset` skipped.
    package static func rank(
        _ snapshot: RecommendSnapshot,
        vector: [Float],
        seen: Set<Int>,
        filters: RecommendFilters,
        store: EventStore
    ) -> [Pick] {
        let mask = exclusionMask(snapshot, seen: seen, filters: filters)
        let wanted = filters.k + filters.offset
        var pool = wanted * 2 + 10
        while true {
            let candidates = snapshot.factors.recommend(vector: vector, k: pool, excluded: mask)
            let kept = liveFilter(snapshot, candidates.map { Pick(item: $0.item, score: $0.score) }, filters, store)
            if kept.count >= wanted || candidates.count < pool {
                return Array(kept.dropFirst(filters.offset).prefix(filters.k))
            }
            pool *= 4
        }
    }

    /// The answer from the user's candidates ranked at training time, or nil when they cannot
    /// give it: the user asked for seen items (which the table leaves out), or the filters left
    /// fewer than `offset + k` of a full row (an item further down might qualify).
    package static func cached(
        _ snapshot: RecommendSnapshot,
        user: Int,
        filters: RecommendFilters,
        store: EventStore
    )
        -> [Pick]?
    {
        let table = snapshot.candidates
        guard !filters.includeSeen, table.covers(user) else { return nil }
        let row = table.candidates(user)
        let excluded = Set(filters.exclude.compactMap { snapshot.itemIndex[$0] })
        let inCategory = filters.category.map { snapshot.categoryItems[$0] ?? [] }
        let picks = row.compactMap { candidate -> Pick? in
            if excluded.contains(candidate.item) { return nil }
            if let inCategory, !inCategory.contains(Int32(candidate.item)) { return nil }
            return Pick(item: candidate.item, score: candidate.score)
        }
        // Ask the catalog about a few more than needed first: most candidates are available.
        let wanted = filters.k + filters.offset
        var kept: [Pick] = []
        var start = 0
        var batch = wanted + 4
        while kept.count < wanted && start < picks.count {
            let end = min(picks.count, start + batch)
            kept += liveFilter(snapshot, Array(picks[start..<end]), filters, store)
            start = end
            batch = picks.count
        }
        guard kept.count >= wanted || row.count < table.width else { return nil }
        return Array(kept.dropFirst(filters.offset).prefix(filters.k))
    }

    /// One flag per item: seen (unless included), excluded by name, or outside the category.
    static func exclusionMask(_ snapshot: RecommendSnapshot, seen: Set<Int>, filters: RecommendFilters) -> [Bool] {
        var mask: [Bool]
        if let category = filters.category {
            mask = [Bool](repeating: true, count: snapshot.itemNames.count)
            for item in snapshot.categoryItems[category] ?? [] { mask[Int(item)] = false }
        } else {
            mask = [Bool](repeating: false, count: snapshot.itemNames.count)
        }
        if !filters.includeSeen {
            for item in seen { mask[item] = true }
        }
        for name in filters.exclude {
            if let item = snapshot.itemIndex[name] { mask[item] = true }
        }
        return mask
    }

    /// Popular items (time-decayed), with the same filters; each scored by its popularity
    /// relative to the most popular item's.
    package static func popular(
        _ snapshot: RecommendSnapshot,
        seen: Set<Int>,
        filters: RecommendFilters,
        store: EventStore
    )
        -> [Pick]
    {
        let excluded = Set(filters.exclude.compactMap { snapshot.itemIndex[$0] })
        let inCategory = filters.category.map { snapshot.categoryItems[$0] ?? [] }
        var picks: [Pick] = []
        for (rank, item) in snapshot.popular.enumerated() {
            let index = Int(item)
            if (!filters.includeSeen && seen.contains(index)) || excluded.contains(index) { continue }
            if let inCategory, !inCategory.contains(item) { continue }
            picks.append(Pick(item: index, score: snapshot.popularScores[rank]))
            if picks.count >= (filters.k + filters.offset) * 2 + 10 {
                let kept = liveFilter(snapshot, picks, filters, store)
                if kept.count >= filters.k + filters.offset {
                    return Array(kept.dropFirst(filters.offset).prefix(filters.k))
                }
            }
        }
        return Array(liveFilter(snapshot, picks, filters, store).dropFirst(filters.offset).prefix(filters.k))
    }

    private static func liveFilter(
        _ snapshot: RecommendSnapshot,
        _ picks: [Pick],
        _ filters: RecommendFilters,
        _ store: EventStore
    )
        -> [Pick]
    {
        let entries = store.catalogEntries(picks.map { snapshot.itemNames[$0.item] })
        return zip(picks, entries).compactMap { pick, entry in
            if let entry, !entry.recommendable { return nil }
            if filters.availableOnly && entry == nil { return nil }
            return pick
        }
    }
}
