/// Hashes named tokens (`field=value`) into a fixed space of model coordinates.
///
/// The hash is built field by field (FNV-1a over the bytes, then a 64-bit finalizer) instead of
/// over a concatenated string, so a request hashes its features without allocating. Crosses
/// combine two token hashes, so `user×category` costs one mix, not a new string.
package struct FeatureHasher: Sendable, Equatable {
    /// log₂ of the number of coordinates.
    package let bits: Int
    private let mask: UInt64

    package init(bits: Int) {
        precondition((1...30).contains(bits), "hash space must be 2¹ to 2³⁰ coordinates")
        self.bits = bits
        mask = (1 << UInt64(bits)) - 1
    }

    package var size: Int { 1 << bits }

    /// The coordinate every example has: the model's intercept.
    package var bias: UInt32 { UInt32(truncatingIfNeeded: Self.finalize(0x9E37_79B9_7F4A_7C15) & mask) }

    static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The 64-bit hash of `field=value` (not yet reduced to a coordinate).
    package static func token(_ field: String, _ value: some StringProtocol) -> UInt64 {
        extend(prefix(field), value.utf8)
    }

    /// The running hash of `field=`: a token is this, continued over the value's bytes.
    package static func prefix(_ field: String) -> UInt64 {
        (extend(offsetBasis, field.utf8) ^ 0x3D) &* prime
    }

    /// ``prefix(_:)`` of a name given as its UTF-8 bytes.
    package static func prefix(_ field: UnsafeBufferPointer<UInt8>) -> UInt64 {
        (extend(offsetBasis, field) ^ 0x3D) &* prime
    }

    /// Continues `hash` over UTF-8 bytes, through contiguous storage when the string has it
    /// (no copy, no reference counting per byte).
    @inline(__always)
    package static func extend(_ hash: UInt64, _ utf8: some Collection<UInt8>) -> UInt64 {
        if let fast = utf8.withContiguousStorageIfAvailable({ extend(hash, $0) }) { return fast }
        var hash = hash
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* prime }
        return hash
    }

    /// Continues `hash` over `bytes`.
    @inline(__always)
    package static func extend(_ hash: UInt64, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = hash
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* prime }
        return hash
    }

    /// Continues `hash` over the decimal digits of a non-negative integer, as `String(value)`
    /// would spell them, without formatting a string.
    /// The digits are taken least significant first, by constant divisors the compiler turns
    /// into multiplications: dividing by a running power of ten cost two `div`s per digit, a
    /// few percent of learning on data with numeric fields.
    @inline(__always)
    package static func extend(_ hash: UInt64, decimal value: Int) -> UInt64 {
        precondition(value >= 0, "decimal digits of a non-negative integer")
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 digit slots; Int.max has 19
        var count = 0
        var rest = UInt64(value)
        var hash = hash
        withUnsafeMutableBytes(of: &digits) { slots in
            repeat {
                slots[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            for index in stride(from: count - 1, through: 0, by: -1) { hash = (hash ^ UInt64(slots[index])) &* prime }
        }
        return hash
    }

    /// The hash of the pair (a, b): order matters, as `user×item` and `item×user` are the same
    /// cross only when configured once. Not finalized here: ``index(_:)`` finalizes every hash
    /// it reduces, and a second finalizer per cross was a fifth of ranking an item.
    @inline(__always)
    package static func cross(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a &* 0x9E37_79B9_7F4A_7C15 ^ (b &+ 0x632B_E59B_D9B4_E019)
    }

    /// The coordinate of a token hash.
    @inline(__always)
    package func index(_ hash: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: Self.finalize(hash) & mask)
    }

    /// MurmurHash3's 64-bit finalizer: spreads FNV's weak low bits over the whole word.
    @inline(__always)
    package static func finalize(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x = x &* 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }
}
