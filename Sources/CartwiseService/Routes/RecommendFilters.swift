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
        _ snapshot: ModelSnapshot,
        vector: [Float],
        seen: Set<Int>,
        filters: RecommendFilters,
        store: EventStore
    ) -> [Pick] {
        let excluded = Set(filters.exclude.compactMap { snapshot.itemIndex[$0] })
        let inCategory = filters.category.map { snapshot.categoryItems[$0] ?? [] }
        let wanted = filters.k + filters.offset
        var pool = wanted * 2 + 10
        while true {
            let candidates = snapshot.factors.recommend(vector: vector, k: pool) { item in
                (!filters.includeSeen && seen.contains(item)) || excluded.contains(item)
                    || (inCategory.map { !$0.contains(Int32(item)) } ?? false)
            }
            let kept = liveFilter(snapshot, candidates.map { Pick(item: $0.item, score: $0.score) }, filters, store)
            if kept.count >= wanted || candidates.count < pool {
                return Array(kept.dropFirst(filters.offset).prefix(filters.k))
            }
            pool *= 4
        }
    }

    /// Popular items (time-decayed), with the same filters; scores fall from 1 with the rank.
    package static func popular(_ snapshot: ModelSnapshot, seen: Set<Int>, filters: RecommendFilters, store: EventStore)
        -> [Pick]
    {
        let excluded = Set(filters.exclude.compactMap { snapshot.itemIndex[$0] })
        let inCategory = filters.category.map { snapshot.categoryItems[$0] ?? [] }
        let count = Float(max(1, snapshot.popular.count))
        var picks: [Pick] = []
        for (rank, item) in snapshot.popular.enumerated() {
            let index = Int(item)
            if (!filters.includeSeen && seen.contains(index)) || excluded.contains(index) { continue }
            if let inCategory, !inCategory.contains(item) { continue }
            picks.append(Pick(item: index, score: 1 - Float(rank) / count))
            if picks.count >= (filters.k + filters.offset) * 2 + 10 {
                let kept = liveFilter(snapshot, picks, filters, store)
                if kept.count >= filters.k + filters.offset { return Array(kept.dropFirst(filters.offset).prefix(filters.k)) }
            }
        }
        return Array(liveFilter(snapshot, picks, filters, store).dropFirst(filters.offset).prefix(filters.k))
    }

    private static func liveFilter(_ snapshot: ModelSnapshot, _ picks: [Pick], _ filters: RecommendFilters, _ store: EventStore)
        -> [Pick]
    {
        let entries = store.catalogEntries(picks.map { snapshot.itemNames[$0.item] })
        return zip(picks, entries).compactMap { pick, entry in
            if let entry, !entry.available { return nil }
            if filters.availableOnly && entry == nil { return nil }
            return pick
        }
    }
}
