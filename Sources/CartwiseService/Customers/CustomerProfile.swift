/// What a marketer reads about one shopper besides the model's figures, from everything the
/// ledger holds (not cut at a request's `as_of`).
package struct CustomerProfile: Sendable, Equatable {
    /// A category and its share of the customer's spend (of units where no price is known).
    package struct CategoryShare: Sendable, Equatable {
        package var category: String
        package var share: Double
    }

    /// Orders (distinct order ids; purchases without one count one per day).
    package var orders = 0
    package var units = 0.0
    package var returnedUnits = 0.0
    package var topCategories: [CategoryShare] = []
    /// The share of priced purchase lines bought on a discount or more than 5 % below the
    /// item's usual price; nil when no line has a known price.
    package var priceSensitivity: Double?
    package var device: String?
    package var channel: String?
    /// Milliseconds; `Int64.max` / `.min` for a shopper seen only through imported orders
    /// without a time (never: imports always date their orders).
    package var firstSeen = Int64.max
    package var lastSeen = Int64.min
    package var events = 0
}
