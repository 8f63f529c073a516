import RealModule

/// Turns an impression's named fields into hashed model coordinates, with configured crosses.
///
/// Fields are groups of tokens: `user`, `item`, `category` (one token per category), `hour`,
/// `weekday`, and each context field. A cross `a*b` adds one coordinate per pair of tokens of
/// the two fields, so which interactions the model may learn is configuration, not code.
package struct CTRFeatures: Sendable, Equatable {
    package struct Cross: Sendable, Equatable, Hashable {
        package var first: String
        package var second: String

        package init(_ first: String, _ second: String) {
            self.first = first
            self.second = second
        }

        /// Parses `a*b`.
        package init?(_ text: String) {
            let parts = text.split(separator: "*", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self.init(String(parts[0]), String(parts[1]))
        }

        package var description: String { first + "*" + second }
    }

    /// The hashed tokens of an example's fields, flat: three arrays per example however many
    /// fields it has (one array per field made hashing allocation-bound).
    package struct Tokens: Sendable, Equatable {
        /// Each field's name as ``FeatureHasher/prefix(_:)`` (no strings retained per example).
        package private(set) var names: [UInt64] = []
        /// Where each field's tokens end in ``hashes``.
        package private(set) var ends: [Int] = []
        package private(set) var hashes: [UInt64] = []
        /// The name and prefix hash last seen at each field position: impressions of one source
        /// list their fields in the same order, so a reused `Tokens` hashes each name once.
        private var prefixes: [(name: String, hash: UInt64)] = []

        package init(capacity: Int = 0) {
            guard capacity > 0 else { return }
            names.reserveCapacity(capacity)
            ends.reserveCapacity(capacity)
            hashes.reserveCapacity(capacity + 4)
        }

        package var isEmpty: Bool { names.isEmpty }

        package static func == (lhs: Tokens, rhs: Tokens) -> Bool {
            lhs.names == rhs.names && lhs.ends == rhs.ends && lhs.hashes == rhs.hashes
        }

        /// Empties the fields but keeps the storage: one `Tokens` serves a whole batch.
        package mutating func removeAll() {
            names.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            hashes.removeAll(keepingCapacity: true)
        }

        /// ``FeatureHasher/prefix(_:)`` of the next field's name, from the per-position cache.
        private mutating func prefix(_ name: String) -> UInt64 {
            let position = names.count
            if position < prefixes.count {
                if prefixes[position].name == name { return prefixes[position].hash }
                let hash = FeatureHasher.prefix(name)
                prefixes[position] = (name, hash)
                return hash
            }
            let hash = FeatureHasher.prefix(name)
            if position == prefixes.count { prefixes.append((name, hash)) }
            return hash
        }

        /// A categorical value, or one token per `|`-separated value when `split`.
        package mutating func add(_ name: String, value: String, split: Bool = false) {
            let start = prefix(name)
            let first = hashes.count
            let result =
                value.utf8.withContiguousStorageIfAvailable { Self.scan($0, start, split, &hashes) }
                ?? {
                    var text = value
                    return text.withUTF8 { Self.scan($0, start, split, &hashes) }
                }()
            if !result.separated {
                if hashes.count > first { hashes.removeSubrange(first...) }
                hashes.append(result.whole)
            }
            names.append(start)
            ends.append(hashes.count)
        }

        /// One pass over a value's bytes: the whole value's hash, and each `|`-separated part's
        /// (appended to `parts`) when `split` finds a separator.
        private static func scan(
            _ bytes: UnsafeBufferPointer<UInt8>,
            _ start: UInt64,
            _ split: Bool,
            _ parts: inout [UInt64]
        ) -> (whole: UInt64, separated: Bool) {
            let separator = UInt8(ascii: "|")
            var whole = start
            var part = start
            var partLength = 0
            var separated = false
            for byte in bytes {
                whole = (whole ^ UInt64(byte)) &* FeatureHasher.prime
                if split && byte == separator {
                    separated = true
                    if partLength > 0 { parts.append(part) }
                    part = start
                    partLength = 0
                } else {
                    part = (part ^ UInt64(byte)) &* FeatureHasher.prime
                    partLength += 1
                }
            }
            if separated && partLength > 0 { parts.append(part) }
            return (whole, separated)
        }

        /// A number, log-binned (see ``bin(_:)``), hashed without formatting a string.
        package mutating func add(_ name: String, number: Double) {
            let start = prefix(name)
            let hash: UInt64
            if !number.isFinite {
                hash = FeatureHasher.token(name, Self.bin(number))
            } else {
                // "-" when negative, "b" past 2, then the bucket: the bytes of ``bin(_:)``.
                let (large, bucket) = Self.bucket(abs(number))
                var prefixed = start
                if number < 0 { prefixed = (prefixed ^ UInt64(UInt8(ascii: "-"))) &* FeatureHasher.prime }
                if large { prefixed = (prefixed ^ UInt64(UInt8(ascii: "b"))) &* FeatureHasher.prime }
                hash = FeatureHasher.extend(prefixed, decimal: bucket)
            }
            hashes.append(hash)
            names.append(start)
            ends.append(hashes.count)
        }

        /// ⌊ln(v)²⌋ for the integers below 4,096, computed once with the same formula: counts are
        /// mostly small integers, and a logarithm per number was an eighth of the learning time.
        static let smallBins: [UInt8] = (0..<4096).map { value in
            guard value > 2 else { return UInt8(value) }
            let log = Double.log(Double(value))
            return UInt8((log * log).rounded(.down))
        }

        /// Tokens hashed beforehand (an item's categories).
        package mutating func add(_ name: String, tokens: [UInt64]) {
            let start = prefix(name)
            hashes.append(contentsOf: tokens)
            names.append(start)
            ends.append(hashes.count)
        }

        /// The tokens of the field whose name hashes to `name`, if present.
        package func range(of name: UInt64) -> Range<Int>? {
            guard let field = names.firstIndex(of: name) else { return nil }
            return (field == 0 ? 0 : ends[field - 1])..<ends[field]
        }

        /// Numbers are log-binned as the Criteo winners binned counts for linear models: v ≤ 2
        /// stays itself, larger values go to ⌊ln(v)²⌋, negatives mirror. Counts spread over many
        /// magnitudes, and a linear model needs one weight per magnitude, not per value.
        package static func bin(_ value: Double) -> String {
            guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
            let (large, bucket) = Self.bucket(abs(value))
            return (value < 0 ? "-" : "") + (large ? "b" : "") + String(bucket)
        }

        /// The bucket of a finite magnitude, and whether it is past 2 (where buckets are ⌊ln(v)²⌋).
        static func bucket(_ magnitude: Double) -> (large: Bool, bucket: Int) {
            if magnitude <= 2 { return (false, Int(magnitude.rounded(.down))) }
            if magnitude < Double(smallBins.count), magnitude.rounded(.down) == magnitude {
                return (true, Int(smallBins[Int(magnitude)]))
            }
            let log = Double.log(magnitude)
            return (true, Int((log * log).rounded(.down)))
        }
    }

    package let hasher: FeatureHasher
    package let crosses: [Cross]
    /// The crosses' field names as ``FeatureHasher/prefix(_:)``, as ``Tokens`` keeps them.
    private let crossNames: [(UInt64, UInt64)]

    package init(hasher: FeatureHasher, crosses: [Cross]) {
        self.hasher = hasher
        self.crosses = crosses
        crossNames = crosses.map { (FeatureHasher.prefix($0.first), FeatureHasher.prefix($0.second)) }
    }

    package static func == (lhs: CTRFeatures, rhs: CTRFeatures) -> Bool {
        lhs.hasher == rhs.hasher && lhs.crosses == rhs.crosses
    }

    /// The coordinates of one example: the bias, every token of `shared` and `own`, and every
    /// configured cross (a field in `own` shadows one of the same name in `shared`).
    /// `shared` holds what all items of a request have in common (user, time, request context),
    /// so `/rank` hashes it once.
    package func coordinates(shared: Tokens, own: Tokens) -> [UInt32] {
        var out: [UInt32] = []
        coordinates(shared: shared, own: own, into: &out)
        return out
    }

    /// ``coordinates(shared:own:)`` into a reused buffer (emptied first): ranking many items
    /// allocates once.
    package func coordinates(shared: Tokens, own: Tokens, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(1 + shared.hashes.count + own.hashes.count + crosses.count * 2)
        out.append(hasher.bias)
        for token in own.hashes { out.append(hasher.index(token)) }
        if own.isEmpty {
            for token in shared.hashes { out.append(hasher.index(token)) }
        } else {
            for (field, name) in shared.names.enumerated() where !own.names.contains(name) {
                for token in shared.hashes[(field == 0 ? 0 : shared.ends[field - 1])..<shared.ends[field]] {
                    out.append(hasher.index(token))
                }
            }
        }
        for (firstName, secondName) in crossNames {
            guard let first = Self.find(firstName, own, shared), let second = Self.find(secondName, own, shared)
            else { continue }
            for a in first { for b in second { out.append(hasher.index(FeatureHasher.cross(a, b))) } }
        }
    }

    /// What the items of one request share, reduced once: the bias, the shared tokens and the
    /// crosses of two shared fields. Ranking 100 items then only adds each item's own part.
    package struct Prepared: Sendable {
        package let shared: Tokens
        package let base: [UInt32]
        /// Per cross, where each side's shared tokens are in `shared.hashes` (empty ranges when
        /// the request lacks the field): plain ranges, so the per-item loop retains nothing.
        let sides: [(first: Range<Int>, second: Range<Int>)]
    }

    package func prepare(shared: Tokens) -> Prepared {
        var base: [UInt32] = [hasher.bias]
        base.reserveCapacity(1 + shared.hashes.count + crosses.count)
        for token in shared.hashes { base.append(hasher.index(token)) }
        var sides: [(first: Range<Int>, second: Range<Int>)] = []
        for (firstName, secondName) in crossNames {
            let first = shared.range(of: firstName) ?? 0..<0
            let second = shared.range(of: secondName) ?? 0..<0
            sides.append((first, second))
            for a in shared.hashes[first] {
                for b in shared.hashes[second] { base.append(hasher.index(FeatureHasher.cross(a, b))) }
            }
        }
        return Prepared(shared: shared, base: base, sides: sides)
    }

    /// The same coordinates as ``coordinates(shared:own:into:)`` (in another order), from a
    /// prepared shared part. Without `base`, only the item's own part is written, so a caller
    /// that summed the base's weights once per request adds only these per item.
    /// - Returns: whether `out` includes the base (always, when an item field shadows a request
    ///   field and the shared part does not apply as is).
    @discardableResult
    package func coordinates(prepared: Prepared, own: Tokens, into out: inout [UInt32], base: Bool = true) -> Bool {
        if own.names.contains(where: { prepared.shared.names.contains($0) }) {
            coordinates(shared: prepared.shared, own: own, into: &out)
            return true
        }
        out.removeAll(keepingCapacity: true)
        if base { out.append(contentsOf: prepared.base) }
        let hasher = self.hasher
        own.hashes.withUnsafeBufferPointer { mine in
            prepared.shared.hashes.withUnsafeBufferPointer { theirs in
                for token in mine { out.append(hasher.index(token)) }
                for position in crossNames.indices {
                    let firstOwn = own.range(of: crossNames[position].0)
                    let secondOwn = own.range(of: crossNames[position].1)
                    if firstOwn == nil && secondOwn == nil { continue }
                    let sides = prepared.sides[position]
                    let first =
                        firstOwn.map { UnsafeBufferPointer(rebasing: mine[$0]) }
                        ?? UnsafeBufferPointer(rebasing: theirs[sides.first])
                    let second =
                        secondOwn.map { UnsafeBufferPointer(rebasing: mine[$0]) }
                        ?? UnsafeBufferPointer(rebasing: theirs[sides.second])
                    for a in first { for b in second { out.append(hasher.index(FeatureHasher.cross(a, b))) } }
                }
            }
        }
        return base
    }

    private static func find(_ name: UInt64, _ own: Tokens, _ shared: Tokens) -> ArraySlice<UInt64>? {
        if let range = own.range(of: name) { return own.hashes[range] }
        if let range = shared.range(of: name) { return shared.hashes[range] }
        return nil
    }
}
