package import CartwiseModels

/// One immutable, versioned generation of the served models. Handlers read the current one once
/// per request and use only it, so every answer comes from a single generation; ARC frees an old
/// generation when the last request using it finishes.
package final class ModelSnapshot: Sendable {
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
    /// Catalog categories at training time: category -> item indices.
    package let categoryItems: [String: Set<Int32>]

    package init(
        info: Info,
        userNames: [String],
        itemNames: [String],
        factors: ALSFactors,
        popular: [Int32],
        categoryItems: [String: Set<Int32>]
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
        self.categoryItems = categoryItems
    }

    package var version: UInt64 { info.version }
}
