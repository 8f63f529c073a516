package import CartwiseModels

/// A catalog item as the click model sees it, hashed once per catalog change: its categories'
/// tokens (for learning from impressions) and its whole item part as `/rank` scores it (the
/// item and its categories), so ranking catalog items neither hashes ids nor builds tokens.
/// A class: a lookup then retains one reference instead of three arrays.
package final class CTRCatalogItem: Sendable {
    package let categories: [UInt64]
    /// ``CTRFeatureBuilder/own(item:categories:context:into:)`` with no context of its own.
    package let own: CTRFeatures.Tokens

    package init(id: String, categories: [String]) {
        self.categories = CTRFeatureBuilder.categoryTokens(categories)
        var own = CTRFeatures.Tokens(capacity: 2)
        CTRFeatureBuilder.own(item: id, categories: self.categories, context: [], into: &own)
        self.own = own
    }
}
