package import CartwiseModels

/// A catalog item as the click model sees it, hashed once per catalog change: its categories'
/// tokens (for learning from impressions) and its whole item part as `/rank` scores it (the
/// item and its categories), so ranking catalog items neither hashes ids nor builds tokens.
/// A class: a lookup then retains one reference instead of three arrays.
package final class CTRCatalogItem: Sendable {
    package let categories: [UInt64]
    /// ``CTRFeatureBuilder/own(item:categories:contexts:fields:into:)`` with no context of its own.
    package let own: CTRFeatures.Tokens

    package init(id: String, categories: [String]) {
        self.categories = CTRFeatureBuilder.categoryTokens(categories)
        var own = CTRFeatures.Tokens(capacity: 2)
        CTRFeatureBuilder.own(
            item: id,
            categories: self.categories,
            contexts: CTRFeatures.Tokens(),
            fields: 0..<0,
            into: &own
        )
        self.own = own
    }

    /// The sum of the item's own weights in a prepared request (see
    /// ``CTRFeatures/ownMargin(prepared:own:weights:layout:)``); a method for the same reason as
    /// ``coordinates(_:prepared:into:layout:)``.
    package func ownMargin(
        _ features: CTRFeatures,
        prepared: CTRFeatures.Prepared,
        weights: UnsafeBufferPointer<Float>,
        layout: inout CTRFeatures.OwnLayout
    ) -> Float? {
        features.ownMargin(prepared: prepared, own: own, weights: weights, layout: &layout)
    }

    /// The item's own coordinates in a prepared request (see
    /// ``CTRFeatures/coordinates(prepared:own:into:base:layout:)``). A method, so that `own` is
    /// read in place: passed from outside, its four arrays were retained and released per item.
    package func coordinates(
        _ features: CTRFeatures,
        prepared: CTRFeatures.Prepared,
        into coordinates: inout [UInt32],
        layout: inout CTRFeatures.OwnLayout
    ) -> Bool {
        features.coordinates(prepared: prepared, own: own, into: &coordinates, base: false, layout: &layout)
    }
}
