import CartwiseModels

/// The click model's catalog: each item's hashed categories and item part, by item id.
///
/// Open addressing on FNV-1a of the id's bytes, not a `Dictionary`: a `String` key is hashed
/// with SipHash, and looking up 100 items cost a tenth of `POST /rank`. The hash is seeded
/// once per process, so colliding ids cannot be prepared in advance; only the storefront
/// writes the catalog, and a lookup's cost depends on the catalog, not on the id asked for.
/// A value type like the dictionary it replaces: readers hold a copy, a write copies the
/// arrays once.
package struct CTRCatalog: Sendable {
    private var ids: [String] = []
    private var items: [CTRCatalogItem] = []
    /// Per slot, the position in `ids` plus one (0: empty). A power of two, at most half full.
    private var slots: [Int32] = []

    private static let seed = UInt64.random(in: .min ... .max)

    package init() {}

    package var count: Int { ids.count }

    package subscript(id: String) -> CTRCatalogItem? {
        guard let position = position(of: id) else { return nil }
        return items[position]
    }

    /// Adds the item, or replaces the one with the same id.
    package mutating func set(_ id: String, _ item: CTRCatalogItem) {
        if let position = position(of: id) {
            items[position] = item
            return
        }
        if (ids.count + 1) * 2 > slots.count { grow() }
        ids.append(id)
        items.append(item)
        place(ids.count - 1)
    }

    private func position(of id: String) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(id)) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if ids[entry - 1] == id { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    private mutating func place(_ position: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(ids[position])) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(position + 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: max(16, slots.count * 2))
        for position in ids.indices { place(position) }
    }

    /// The feature builder's FNV-1a over the bytes from a seeded basis, then the hasher's
    /// MurmurHash3 finalizer, so the low bits that pick the slot depend on every byte.
    private static func hash(_ id: String) -> UInt64 {
        FeatureHasher.finalize(
            CTRFeatureBuilder.utf8(id) { CTRFeatureBuilder.fnv(CTRFeatureBuilder.fnvOffsetBasis ^ seed, $0) }
        )
    }
}
