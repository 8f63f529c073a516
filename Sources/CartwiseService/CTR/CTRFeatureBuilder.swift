package import CartwiseModels

/// Names an impression's fields the same way for learning and for `/rank`, so a model trained
/// from events scores requests on the same coordinates.
package enum CTRFeatureBuilder {
    /// The tokens of `hour=0` ... `hour=23` and `weekday=0` ... `weekday=6`, and the fixed fields'
    /// prefixes, hashed once.
    static let hours = (0..<24).map { FeatureHasher.token("hour", String($0)) }
    static let weekdays = (0..<7).map { FeatureHasher.token("weekday", String($0)) }
    static let hourPrefix = FeatureHasher.prefix("hour")
    static let weekdayPrefix = FeatureHasher.prefix("weekday")
    static let userPrefix = FeatureHasher.prefix("user")
    static let itemPrefix = FeatureHasher.prefix("item")
    static let categoryPrefix = FeatureHasher.prefix("category")

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
        addOwn(item: event.item, categories: categories, to: &tokens)
    }

    private static func addShared(
        user: String,
        timestamp: Int64,
        context: [ContextField],
        to tokens: inout CTRFeatures.Tokens
    ) {
        if !user.isEmpty { add(userPrefix, "user", user, split: false, to: &tokens) }
        let hour = floorDivide(timestamp, 3_600_000)
        tokens.add(prefix: hourPrefix, token: hours[Int(((hour % 24) + 24) % 24)])
        // 1970-01-01 was a Thursday: day 0 is weekday 3 when Monday is 0.
        let day = floorDivide(timestamp, 86_400_000)
        tokens.add(prefix: weekdayPrefix, token: weekdays[Int(((day + 3) % 7 + 7) % 7)])
        append(context, to: &tokens)
    }

    /// The item, its catalog categories (hashed once per catalog change) and its own context
    /// (the fields `fields` of `contexts`, hashed as the request was read), into a reused
    /// `Tokens` (emptied first).
    package static func own(
        item: String,
        categories: [UInt64],
        contexts: CTRFeatures.Tokens,
        fields: Range<Int>,
        into tokens: inout CTRFeatures.Tokens
    ) {
        tokens.removeAll()
        addOwn(item: item, categories: categories, to: &tokens)
        tokens.append(contexts, fields: fields)
    }

    private static func addOwn(item: String, categories: [UInt64], to tokens: inout CTRFeatures.Tokens) {
        if !item.isEmpty { add(itemPrefix, "item", item, split: false, to: &tokens) }
        if !categories.isEmpty { tokens.add(prefix: categoryPrefix, tokens: categories) }
    }

    /// The tokens of an item's categories.
    package static func categoryTokens(_ categories: [String]) -> [UInt64] {
        categories.map { FeatureHasher.token("category", $0) }
    }

    /// Strings are categorical (`|` separates several values), numbers are log-binned. The
    /// fields' tokens are gathered here and handed over together (``CTRFeatures/Tokens/add(prefixes:tokens:)``).
    private static func append(_ context: [ContextField], to tokens: inout CTRFeatures.Tokens) {
        guard !context.isEmpty else { return }
        context.withUnsafeBufferPointer { fields in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * fields.count) { buffer in
                let prefixes = UnsafeMutableBufferPointer(rebasing: buffer[0..<fields.count])
                let hashes = UnsafeMutableBufferPointer(rebasing: buffer[fields.count...])
                var pending = 0
                func flush() {
                    guard pending > 0 else { return }
                    tokens.add(
                        prefixes: UnsafeBufferPointer(rebasing: prefixes[0..<pending]),
                        tokens: UnsafeBufferPointer(rebasing: hashes[0..<pending])
                    )
                    pending = 0
                }
                for index in fields.indices {
                    // Everything read from the field is hashed before `tokens` is called: a
                    // string still in use across a call into the other module is retained
                    // around it.
                    let prefix = utf8(fields[index].name) { (fnv(fnvOffsetBasis, $0) ^ 0x3D) &* fnvPrime }
                    // nil: a value with a `|`, one token per part.
                    let token: UInt64? =
                        switch fields[index].value {
                        case .number(let number): CTRFeatures.Tokens.token(prefix: prefix, number: number)
                        case .string(let text): self.token(prefix, text, split: true)
                        }
                    if let token {
                        prefixes[pending] = prefix
                        hashes[pending] = token
                        pending += 1
                    } else if case .string(let text) = fields[index].value {
                        flush()
                        tokens.add(fields[index].name, value: text, split: true)
                    }
                }
                flush()
            }
        }
    }

    /// `value` as one token of the field, hashed here: a string passed to `Tokens` in the other
    /// module is retained and released around each call (with the field's name, a sixth of the
    /// learning time), while one hashed in place is only read. A value that `split` cuts at `|`
    /// takes the general path.
    @inline(__always)
    private static func add(
        _ prefix: UInt64,
        _ name: String,
        _ value: String,
        split: Bool,
        to tokens: inout CTRFeatures.Tokens
    ) {
        if let token = token(prefix, value, split: split) {
            tokens.add(prefix: prefix, token: token)
        } else {
            tokens.add(name, value: value, split: split)
        }
    }

    /// The token of `value` in the field hashed to `prefix`; nil when `split` finds a `|`.
    @inline(__always)
    private static func token(_ prefix: UInt64, _ value: String, split: Bool) -> UInt64? {
        utf8(value) { bytes -> UInt64? in
            if split && bytes.contains(UInt8(ascii: "|")) { return nil }
            return fnv(prefix, bytes)
        }
    }

    /// `FeatureHasher`'s FNV-1a, written out here (a test checks that both agree): the compiler
    /// does not inline across the module boundary, even `@inlinable` code, and any call made
    /// while a field's strings are borrowed makes it retain and release them.
    @inline(__always)
    static func fnv(_ hash: UInt64, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = hash
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* fnvPrime }
        return hash
    }

    static let fnvOffsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    /// `body` over the string's UTF-8 bytes in place (every native string has them contiguous).
    @inline(__always)
    static func utf8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
