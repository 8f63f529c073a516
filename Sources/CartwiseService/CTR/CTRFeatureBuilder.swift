package import CartwiseModels

/// Names an impression's fields the same way for learning and for `/rank`, so a model trained
/// from events scores requests on the same coordinates.
package enum CTRFeatureBuilder {
    static let hours = (0..<24).map { String($0) }
    static let weekdays = (0..<7).map { String($0) }

    /// User, time and the request's (or impression's) context: what items of one request share.
    package static func shared(user: String, timestamp: Int64, context: [ContextField]) -> CTRFeatures.Tokens {
        var tokens = CTRFeatures.Tokens(capacity: 3 + context.count)
        addShared(user: user, timestamp: timestamp, context: context, to: &tokens)
        return tokens
    }

    /// Every field of one impression into `tokens` (emptied first), for learning: a learner
    /// reuses one `Tokens` for a whole batch instead of allocating per impression.
    package static func impression(_ event: Event, categories: [UInt64], into tokens: inout CTRFeatures.Tokens) {
        tokens.removeAll()
        addShared(user: event.user, timestamp: event.timestamp, context: event.context, to: &tokens)
        addOwn(item: event.item, categories: categories, context: [], to: &tokens)
    }

    private static func addShared(
        user: String,
        timestamp: Int64,
        context: [ContextField],
        to tokens: inout CTRFeatures.Tokens
    ) {
        if !user.isEmpty { tokens.add("user", value: user) }
        let hour = floorDivide(timestamp, 3_600_000)
        tokens.add("hour", value: hours[Int(((hour % 24) + 24) % 24)])
        // 1970-01-01 was a Thursday: day 0 is weekday 3 when Monday is 0.
        let day = floorDivide(timestamp, 86_400_000)
        tokens.add("weekday", value: weekdays[Int(((day + 3) % 7 + 7) % 7)])
        append(context, to: &tokens)
    }

    /// The item, its catalog categories (hashed once per catalog change) and its own context,
    /// into a reused `Tokens` (emptied first).
    package static func own(
        item: String,
        categories: [UInt64],
        context: [ContextField],
        into tokens: inout CTRFeatures.Tokens
    ) {
        tokens.removeAll()
        addOwn(item: item, categories: categories, context: context, to: &tokens)
    }

    private static func addOwn(
        item: String,
        categories: [UInt64],
        context: [ContextField],
        to tokens: inout CTRFeatures.Tokens
    ) {
        if !item.isEmpty { tokens.add("item", value: item) }
        if !categories.isEmpty { tokens.add("category", tokens: categories) }
        append(context, to: &tokens)
    }

    /// The tokens of an item's categories.
    package static func categoryTokens(_ categories: [String]) -> [UInt64] {
        categories.map { FeatureHasher.token("category", $0) }
    }

    /// Strings are categorical (`|` separates several values), numbers are log-binned.
    private static func append(_ context: [ContextField], to tokens: inout CTRFeatures.Tokens) {
        // A method on the borrowed field reads its strings in place: a `switch` over a copy
        // retained and released two strings per field, a tenth of the learning time.
        for index in context.indices { context[index].addToken(to: &tokens) }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}

extension ContextField {
    fileprivate func addToken(to tokens: inout CTRFeatures.Tokens) {
        switch value {
        case .string(let text): tokens.add(name, value: text, split: true)
        case .number(let number): tokens.add(name, number: number)
        }
    }
}
