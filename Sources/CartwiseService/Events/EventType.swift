/// What a shopper did. The raw value is the byte stored in the log.
package enum EventType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case view = 1
    case click = 2
    case addToCart = 3
    case purchase = 4
    case impression = 5
    case rating = 6
    /// Units of a purchase sent back (`value` is the quantity).
    case returned = 7
    /// A customer was contacted by a campaign (or held out as its control): `campaign` and
    /// `arm` say which; no item.
    case exposure = 8

    /// The name on the wire.
    package var description: String {
        switch self {
        case .view: return "view"
        case .click: return "click"
        case .addToCart: return "add_to_cart"
        case .purchase: return "purchase"
        case .impression: return "impression"
        case .rating: return "rating"
        case .returned: return "return"
        case .exposure: return "exposure"
        }
    }

    /// Parses a wire name.
    package init?(name: String) {
        guard let match = EventType.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}
