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

    /// The hashed tokens of an example's fields, flat: two arrays per example however many
    /// fields it has (one array per field made hashing allocation-bound).
    package struct Tokens: Sendable, Equatable {
        /// One field: its name as ``FeatureHasher/prefix(_:)`` (no strings retained per example)
        /// and where its tokens end in ``hashes``.
        package struct Field: Sendable, Equatable {
            package var name: UInt64
            package var end: Int
        }

        package private(set) var fields: [Field] = []
        package private(set) var hashes: [UInt64] = []
        /// The name and prefix hash last seen at each field position: impressions of one source
        /// list their fields in the same order, so a reused `Tokens` hashes each name once.
        private var prefixNames: [String] = []
        private var prefixHashes: [UInt64] = []

        package init(capacity: Int = 0) {
            guard capacity > 0 else { return }
            fields.reserveCapacity(capacity)
            hashes.reserveCapacity(capacity + 4)
        }

        package var isEmpty: Bool { fields.isEmpty }

        /// The fields' names, in order.
        package var names: [UInt64] { fields.map(\.name) }

        package static func == (lhs: Tokens, rhs: Tokens) -> Bool {
            lhs.fields == rhs.fields && lhs.hashes == rhs.hashes
        }

        /// Empties the fields but keeps the storage: one `Tokens` serves a whole batch.
        package mutating func removeAll() {
            fields.removeAll(keepingCapacity: true)
            hashes.removeAll(keepingCapacity: true)
        }

        /// ``FeatureHasher/prefix(_:)`` of the next field's name, from the per-position cache.
        @inline(__always)
        private mutating func prefix(_ name: String) -> UInt64 {
            let position = fields.count
            if position < prefixNames.count && prefixNames[position] == name { return prefixHashes[position] }
            return remember(name, at: position)
        }

        private mutating func remember(_ name: String, at position: Int) -> UInt64 {
            let hash = FeatureHasher.prefix(name)
            if position < prefixNames.count {
                prefixNames[position] = name
                prefixHashes[position] = hash
            } else if position == prefixNames.count {
                prefixNames.append(name)
                prefixHashes.append(hash)
            }
            return hash
        }

        /// A categorical value, or one token per `|`-separated value when `split`.
        package mutating func add(_ name: String, value: String, split: Bool = false) {
            let start = prefix(name)
            // In place for a native string (every string read from JSON or CSV is one).
            var text = value
            text.withUTF8 { add(prefix: start, value: $0, split: split) }
        }

        /// ``add(_:value:split:)`` for a value's UTF-8 bytes, with the field name's
        /// ``FeatureHasher/prefix(_:)`` hashed by the caller: `/rank` hashes the fields of its
        /// items' contexts straight from the request body, without making strings of them.
        package mutating func add(prefix start: UInt64, value bytes: UnsafeBufferPointer<UInt8>, split: Bool) {
            if split && bytes.contains(UInt8(ascii: "|")) {
                Self.parts(bytes, start, &hashes)
            } else {
                hashes.append(FeatureHasher.extend(start, bytes))
            }
            fields.append(Field(name: start, end: hashes.count))
        }

        /// The hash of each non-empty `|`-separated part of a value, appended to `hashes`.
        @inline(__always)
        private static func parts(_ bytes: UnsafeBufferPointer<UInt8>, _ start: UInt64, _ hashes: inout [UInt64]) {
            var part = start
            var partLength = 0
            for byte in bytes {
                if byte == UInt8(ascii: "|") {
                    if partLength > 0 { hashes.append(part) }
                    part = start
                    partLength = 0
                } else {
                    part = (part ^ UInt64(byte)) &* FeatureHasher.prime
                    partLength += 1
                }
            }
            if partLength > 0 { hashes.append(part) }
        }

        /// Appends the fields `range` of `other` (positions in its ``fields``), with their tokens.
        package mutating func append(_ other: Tokens, fields range: Range<Int>) {
            guard !range.isEmpty else { return }
            let first = range.lowerBound == 0 ? 0 : other.fields[range.lowerBound - 1].end
            let shift = hashes.count - first
            hashes.append(contentsOf: other.hashes[first..<other.fields[range.upperBound - 1].end])
            for field in other.fields[range] { fields.append(Field(name: field.name, end: field.end + shift)) }
        }

        /// One token the caller hashed: `prefix` is ``FeatureHasher/prefix(_:)`` of the field's
        /// name and `token` that hash continued over the value's bytes. The learner hashes its
        /// impressions' strings in its own module, because a string handed to a function here
        /// is retained and released around the call (a sixth of the learning time).
        package mutating func add(prefix: UInt64, token: UInt64) {
            hashes.append(token)
            fields.append(Field(name: prefix, end: hashes.count))
        }

        /// ``add(prefix:token:)`` for many one-token fields at once: a call into this module per
        /// field, each checking both arrays' uniqueness and capacity, was a tenth of learning.
        package mutating func add(prefixes: UnsafeBufferPointer<UInt64>, tokens: UnsafeBufferPointer<UInt64>) {
            var end = hashes.count
            hashes.append(contentsOf: tokens)
            fields.reserveCapacity(fields.count + prefixes.count)
            for prefix in prefixes {
                end += 1
                fields.append(Field(name: prefix, end: end))
            }
        }

        /// A number, log-binned (see ``bin(_:)``), hashed without formatting a string.
        package mutating func add(_ name: String, number: Double) {
            add(prefix: prefix(name), number: number)
        }

        /// ``add(_:number:)`` with the field name's ``FeatureHasher/prefix(_:)`` hashed by the caller.
        package mutating func add(prefix start: UInt64, number: Double) {
            hashes.append(Self.token(prefix: start, number: number))
            fields.append(Field(name: start, end: hashes.count))
        }

        /// The token of a log-binned number, for callers that hash their fields themselves
        /// (see ``add(prefixes:tokens:)``).
        package static func token(prefix start: UInt64, number: Double) -> UInt64 {
            let hash: UInt64
            if !number.isFinite {
                hash = FeatureHasher.extend(start, Self.bin(number).utf8)
            } else {
                // "-" when negative, "b" past 2, then the bucket: the bytes of ``bin(_:)``.
                let (large, bucket) = Self.bucket(abs(number))
                var prefixed = start
                if number < 0 { prefixed = (prefixed ^ UInt64(UInt8(ascii: "-"))) &* FeatureHasher.prime }
                if large { prefixed = (prefixed ^ UInt64(UInt8(ascii: "b"))) &* FeatureHasher.prime }
                hash = FeatureHasher.extend(prefixed, decimal: bucket)
            }
            return hash
        }

        /// ⌊ln(v)²⌋ for the integers below 4,096, computed once with the same formula: counts are
        /// mostly small integers, and a logarithm per number was an eighth of the learning time.
        static let smallBins: [UInt8] = (0..<4096).map { value in
            guard value > 2 else { return UInt8(value) }
            let log = Double.log(Double(value))
            return UInt8((log * log).rounded(.down))
        }

        /// Tokens hashed beforehand (an item's categories), under a field whose name's
        /// ``FeatureHasher/prefix(_:)`` the caller hashed once (not per item).
        package mutating func add(prefix start: UInt64, tokens: [UInt64]) {
            hashes.append(contentsOf: tokens)
            fields.append(Field(name: start, end: hashes.count))
        }

        /// The tokens of the field whose name hashes to `name`, if present.
        package func range(of name: UInt64) -> Range<Int>? {
            guard let field = fields.firstIndex(where: { $0.name == name }) else { return nil }
            return (field == 0 ? 0 : fields[field - 1].end)..<fields[field].end
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
            var first = 0
            for field in shared.fields {
                defer { first = field.end }
                if own.fields.contains(where: { $0.name == field.name }) { continue }
                for token in shared.hashes[first..<field.end] {
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

    /// Where the crosses of a prepared request find their sides, for items whose own fields
    /// have given names: the items of one request share their layout (item, categories), so
    /// it is worked out once instead of searching both field lists per cross per item.
    package struct OwnLayout: Sendable {
        fileprivate var names: [UInt64] = []
        fileprivate var valid = false
        /// Some own field shadows a shared one: the prepared part does not apply as is.
        fileprivate var shadows = false
        /// The crosses an item's own fields take part in: the cross's position, and each side's
        /// own field index (-1: the side is the request's).
        fileprivate var crosses: [(position: Int, first: Int, second: Int)] = []

        package init() {}

        fileprivate func matches(_ own: Tokens) -> Bool {
            valid && names.count == own.fields.count
                && own.fields.indices.allSatisfy { names[$0] == own.fields[$0].name }
        }
    }

    /// The same coordinates as ``coordinates(shared:own:into:)`` (in another order), from a
    /// prepared shared part. Without `base`, only the item's own part is written, so a caller
    /// that summed the base's weights once per request adds only these per item.
    /// - Returns: whether `out` includes the base (always, when an item field shadows a request
    ///   field and the shared part does not apply as is).
    @discardableResult
    package func coordinates(prepared: Prepared, own: Tokens, into out: inout [UInt32], base: Bool = true) -> Bool {
        var layout = OwnLayout()
        return coordinates(prepared: prepared, own: own, into: &out, base: base, layout: &layout)
    }

    /// ``coordinates(prepared:own:into:base:)`` with the layout of the previous item reused while
    /// the item fields' names stay the same.
    @discardableResult
    package func coordinates(
        prepared: Prepared,
        own: Tokens,
        into out: inout [UInt32],
        base: Bool,
        layout: inout OwnLayout
    ) -> Bool {
        if !layout.matches(own) { layout = self.layout(prepared: prepared, own: own) }
        if layout.shadows {
            coordinates(shared: prepared.shared, own: own, into: &out)
            return true
        }
        out.removeAll(keepingCapacity: true)
        if base { out.append(contentsOf: prepared.base) }
        forEachOwnCoordinate(prepared: prepared, own: own, layout: layout) { out.append($0) }
        return base
    }

    /// The sum of `weights` over an item's own coordinates in a prepared request (the base not
    /// included), or nil when an item field shadows a request field (then
    /// ``coordinates(prepared:own:into:base:layout:)`` gives the whole example). Ranking sums
    /// weights as it hashes, without writing each item's coordinates down first.
    package func ownMargin(
        prepared: Prepared,
        own: Tokens,
        weights: UnsafeBufferPointer<Float>,
        layout: inout OwnLayout
    ) -> Float? {
        if !layout.matches(own) { layout = self.layout(prepared: prepared, own: own) }
        if layout.shadows { return nil }
        var margin: Float = 0
        forEachOwnCoordinate(prepared: prepared, own: own, layout: layout) { margin += weights[Int($0)] }
        return margin
    }

    /// Calls `body` with each of an item's own coordinates: its tokens, then the crosses its
    /// fields take part in.
    @inline(__always)
    private func forEachOwnCoordinate(
        prepared: Prepared,
        own: Tokens,
        layout: OwnLayout,
        _ body: (UInt32) -> Void
    ) {
        let hasher = self.hasher
        own.hashes.withUnsafeBufferPointer { mine in
            prepared.shared.hashes.withUnsafeBufferPointer { theirs in
                for token in mine { body(hasher.index(token)) }
                own.fields.withUnsafeBufferPointer { fields in
                    func side(_ field: Int, _ shared: Range<Int>) -> UnsafeBufferPointer<UInt64> {
                        guard field >= 0 else { return UnsafeBufferPointer(rebasing: theirs[shared]) }
                        let start = field == 0 ? 0 : fields[field - 1].end
                        return UnsafeBufferPointer(rebasing: mine[start..<fields[field].end])
                    }
                    for cross in layout.crosses {
                        let sides = prepared.sides[cross.position]
                        let first = side(cross.first, sides.first)
                        let second = side(cross.second, sides.second)
                        for a in first { for b in second { body(hasher.index(FeatureHasher.cross(a, b))) } }
                    }
                }
            }
        }
    }

    private func layout(prepared: Prepared, own: Tokens) -> OwnLayout {
        var layout = OwnLayout()
        layout.names = own.fields.map(\.name)
        layout.valid = true
        layout.shadows = own.fields.contains { mine in prepared.shared.fields.contains { $0.name == mine.name } }
        for (position, names) in crossNames.enumerated() {
            let first = own.fields.firstIndex { $0.name == names.0 } ?? -1
            let second = own.fields.firstIndex { $0.name == names.1 } ?? -1
            if first >= 0 || second >= 0 { layout.crosses.append((position, first, second)) }
        }
        return layout
    }

    private static func find(_ name: UInt64, _ own: Tokens, _ shared: Tokens) -> ArraySlice<UInt64>? {
        if let range = own.range(of: name) { return own.hashes[range] }
        if let range = shared.range(of: name) { return shared.hashes[range] }
        return nil
    }
}
