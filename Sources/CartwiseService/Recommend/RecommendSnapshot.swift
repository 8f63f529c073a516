package import CartwiseModels

/// One immutable, versioned generation of the served models. Handlers read the current one once
/// per request and use only it, so every answer comes from a single generation; ARC frees an old
/// generation when the last request using it finishes.
package final class RecommendSnapshot: Sendable {
    package struct Info: Sendable, Equatable {
        package var version: UInt64
        /// Milliseconds since the epoch.
        package var trainedAt: Int64
        package var trainingSeconds: Double
        package var users: Int
        package var items: Int
        package var interactions: Int
        /// Events the store had applied when training read it; later events are folded in.
        package var sequence: Int
        package var precisionAt10: Double
        package var usersEvaluated: Int
        package var factors: Int
        package var regularization: Float
        package var alpha: Float
        package var iterations: Int

        package init(
            version: UInt64,
            trainedAt: Int64,
            trainingSeconds: Double,
            users: Int,
            items: Int,
            interactions: Int,
            sequence: Int,
            precisionAt10: Double,
            usersEvaluated: Int,
            factors: Int,
            regularization: Float,
            alpha: Float,
            iterations: Int
        ) {
            self.version = version
            self.trainedAt = trainedAt
            self.trainingSeconds = trainingSeconds
            self.users = users
            self.items = items
            self.interactions = interactions
            self.sequence = sequence
            self.precisionAt10 = precisionAt10
            self.usersEvaluated = usersEvaluated
            self.factors = factors
            self.regularization = regularization
            self.alpha = alpha
            self.iterations = iterations
        }
    }

    package let info: Info
    package let userNames: [String]
    package let itemNames: [String]
    package let userIndex: [String: Int]
    package let itemIndex: [String: Int]
    package let factors: ALSFactors
    package let foldIn: FoldIn
    /// Item indices, most popular (time-decayed) first.
    package let popular: [Int32]
    /// Each popular item's time-decayed popularity relative to the most popular one's (1): what
    /// the answer for an unknown user scores, so a score says how much more an item sells.
    package let popularScores: [Float]
    /// Catalog categories at training time: category -> item indices.
    package let categoryItems: [String: Set<Int32>]
    /// Item factors scaled to unit length, for cosine explanations on the request path.
    package let unitItems: DenseMatrix
    /// Each user's best unseen items at training time: the answer to most `/recommend` calls.
    package let candidates: CandidateTable

    package init(
        info: Info,
        userNames: [String],
        itemNames: [String],
        factors: ALSFactors,
        popular: [Int32],
        popularScores: [Float]? = nil,
        categoryItems: [String: Set<Int32>],
        candidates: CandidateTable = .empty
    ) {
        self.info = info
        self.userNames = userNames
        self.itemNames = itemNames
        var users: [String: Int] = [:]
        users.reserveCapacity(userNames.count)
        for (index, name) in userNames.enumerated() { users[name] = index }
        userIndex = users
        var items: [String: Int] = [:]
        items.reserveCapacity(itemNames.count)
        for (index, name) in itemNames.enumerated() { items[name] = index }
        itemIndex = items
        self.factors = factors
        foldIn = FoldIn(items: factors.items, regularization: info.regularization, alpha: info.alpha)
        self.popular = popular
        // Without scores (a snapshot file written before they were kept): falling with the rank.
        let count = Float(max(1, popular.count))
        self.popularScores =
            popularScores?.count == popular.count
            ? popularScores! : popular.indices.map { 1 - Float($0) / count }
        self.categoryItems = categoryItems
        self.candidates = candidates
        var unit = factors.items.values
        let k = factors.factors
        for row in 0..<factors.items.rows {
            var norm: Float = 0
            for index in (row * k)..<((row + 1) * k) { norm += unit[index] * unit[index] }
            let scale = norm > 0 ? 1 / norm.squareRoot() : 0
            for index in (row * k)..<((row + 1) * k) { unit[index] *= scale }
        }
        unitItems = DenseMatrix(rows: factors.items.rows, columns: k, values: unit)
    }

    /// For each recommended item, the history item most similar to it (cosine of item factors):
    /// O(recommended × history × k), cheap enough for every request.
    package func similarityReasons(_ history: [(item: Int, weight: Float)], recommended: [Int]) -> [Int?] {
        let k = unitItems.columns
        return unitItems.values.withUnsafeBufferPointer { all in
            recommended.map { item in
                var best: (item: Int, score: Float)?
                for (source, _) in history {
                    let score = VectorMath.dot(all.baseAddress! + item * k, all.baseAddress! + source * k, k)
                    if best == nil || score > best!.score { best = (source, score) }
                }
                return best?.item
            }
        }
    }

    package var version: UInt64 { info.version }

    /// The card `GET /models` shows for it.
    package var card: ModelCard {
        ModelCard(
            family: "recommend",
            version: info.version,
            trainedAt: info.trainedAt,
            trainingSeconds: info.trainingSeconds,
            data: [
                .init("users", Double(info.users)), .init("items", Double(info.items)),
                .init("interactions", Double(info.interactions)),
            ],
            quality: [
                .init("precision_at_10", info.usersEvaluated > 0 ? info.precisionAt10 : nil),
                .init("users_evaluated", Double(info.usersEvaluated)),
            ],
            method: "each evaluated user's latest items held out of training"
        )
    }
}
