/// One thing a shopper did, as accepted by `POST /events` and stored in the log.
package struct Event: Sendable, Equatable {
    package var user: String
    package var item: String
    package var type: EventType
    /// A rating, or the quantity of a purchase; 1 when not given.
    package var value: Double
    package var price: Double?
    /// Milliseconds since the Unix epoch (server time when not given).
    package var timestamp: Int64
    package var orderID: String?
    /// Links an impression to the click that labels it (CTR learning).
    package var impressionID: String?
    /// An impression that says it was clicked.
    package var clicked: Bool?
    /// Flat context fields (device, page, position, ...), in the order sent. On an exposure,
    /// the customer's attributes the campaign was sent with (the uplift model's features).
    package var context: [ContextField]
    /// An exposure's campaign and arm (`control` for the held-out group).
    package var campaign: String?
    package var arm: String?

    package init(
        user: String,
        item: String,
        type: EventType,
        value: Double = 1,
        price: Double? = nil,
        timestamp: Int64,
        orderID: String? = nil,
        impressionID: String? = nil,
        clicked: Bool? = nil,
        context: [ContextField] = [],
        campaign: String? = nil,
        arm: String? = nil
    ) {
        self.user = user
        self.item = item
        self.type = type
        self.value = value
        self.price = price
        self.timestamp = timestamp
        self.orderID = orderID
        self.impressionID = impressionID
        self.clicked = clicked
        self.context = context
        self.campaign = campaign
        self.arm = arm
    }
}

/// One `context` or `attributes` entry: a name and a string or number.
package struct ContextField: Sendable, Equatable {
    package enum Value: Sendable, Equatable {
        case string(String)
        case number(Double)
    }

    package var name: String
    package var value: Value

    package init(name: String, value: Value) {
        self.name = name
        self.value = value
    }
}

/// A catalog entry, as accepted by `POST /items`.
package struct Item: Sendable, Equatable {
    package var id: String
    package var title: String
    package var categories: [String]
    package var price: Double?
    /// Sold-out items (false) are left out of recommendations by default.
    package var available: Bool
    package var stock: Int?
    package var attributes: [ContextField]
    /// Hidden by a merchandiser: kept in the catalog and its history, never recommended.
    package var hidden: Bool

    /// Whether recommendations and similar items may show it.
    package var recommendable: Bool { available && !hidden }

    package init(
        id: String,
        title: String = "",
        categories: [String] = [],
        price: Double? = nil,
        available: Bool = true,
        stock: Int? = nil,
        attributes: [ContextField] = [],
        hidden: Bool = false
    ) {
        self.id = id
        self.title = title
        self.categories = categories
        self.price = price
        self.available = available
        self.stock = stock
        self.attributes = attributes
        self.hidden = hidden
    }
}
