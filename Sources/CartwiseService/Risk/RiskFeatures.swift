/// The features an order is scored on: derived ones (velocity, amount against the user's own
/// history, country mismatch, account age, first use of a card, basket risk, hour) followed by
/// every `signals` value as `signals.NAME`. A missing input gives NaN, which the trees route on
/// its own: a missing email says something, a zero would lie.
package enum RiskFeatures {
    /// The derived features, in model order.
    package static let derived: [String] = [
        "amount", "item_count", "high_risk_share",
        "user_orders_1h", "user_orders_24h", "email_orders_1h", "email_orders_24h",
        "ip_orders_1h", "ip_orders_24h", "card_orders_1h", "card_orders_24h",
        "user_previous_orders", "amount_to_user_mean", "country_mismatch", "account_age_days",
        "card_first_use", "hour_of_day", "device_first_use", "address_first_use", "card_accounts_24h",
        "address_accounts_24h",
    ]

    /// Each derived feature's position, for the rules' lookups by name.
    package static let positions: [String: Int] = Dictionary(
        uniqueKeysWithValues: derived.enumerated().map { ($1, $0) }
    )

    package static func signal(_ name: String) -> String { "signals." + name }

    /// The derived values of an order.
    /// - Parameters:
    ///   - order: the order.
    ///   - before: what the velocity windows knew just before it.
    ///   - highRiskShare: the share of the basket's value in high-risk categories.
    /// - Returns: one value per name of ``derived``, NaN where an input is missing.
    package static func derive(_ order: Order, before: OrderHistory.Before, highRiskShare: Double?) -> [Double] {
        let nan = Double.nan
        func number(_ value: Int?) -> Double { value.map(Double.init) ?? nan }
        func flag(_ value: Bool?) -> Double { value.map { $0 ? 1 : 0 } ?? nan }
        let quantity = order.items.reduce(0) { $0 + $1.quantity }
        var mismatch: Bool?
        if let shipping = order.shippingCountry, let billing = order.billingCountry { mismatch = shipping != billing }
        let accountAge = order.accountCreatedAt.map { Double(order.createdAt - $0) / Double(OrderHistory.day) }
        let hour = order.createdAtGiven ? Double(((order.createdAt / OrderHistory.hour) % 24 + 24) % 24) : nan
        let ratio: Double? = before.userMeanAmount.flatMap { $0 > 0 ? order.amount / $0 : nil }
        return [
            order.amount, order.items.isEmpty ? nan : quantity, highRiskShare ?? nan,
            number(before.user?.hour), number(before.user?.day), number(before.email?.hour), number(before.email?.day),
            number(before.ip?.hour), number(before.ip?.day), number(before.card?.hour), number(before.card?.day),
            number(before.userOrders), ratio ?? nan, flag(mismatch), accountAge ?? nan,
            flag(before.firstUseOfCard), hour, flag(before.firstUseOfDevice), flag(before.firstUseOfAddress),
            number(before.cardAccounts), number(before.addressAccounts),
        ]
    }

    /// The share of the basket's value in the `highRisk` categories (nil without lines or
    /// high-risk categories).
    package static func highRiskShare(
        _ order: Order,
        categories: (String) -> [String]?,
        highRisk: Set<String>
    ) -> Double? {
        guard !order.items.isEmpty, !highRisk.isEmpty else { return nil }
        var total = 0.0
        var risky = 0.0
        for line in order.items {
            let value = line.quantity * line.price
            total += value
            if let found = categories(line.item), found.contains(where: highRisk.contains) { risky += value }
        }
        return total > 0 ? risky / total : nil
    }

    /// A contribution in words a risk analyst reads: what the value was, not the feature's code.
    package static func describe(_ name: String, _ value: Double) -> String {
        guard !value.isNaN else { return missing(name) }
        func count(_ what: String, _ window: String) -> String {
            let n = Int(value)
            return "\(n) earlier order\(n == 1 ? "" : "s") \(what) in the last \(window)"
        }
        func accounts(_ what: String) -> String {
            let n = Int(value)
            return "\(n) other account\(n == 1 ? "" : "s") \(what) in the last 24 hours"
        }
        switch name {
        case "amount": return "order amount \(format(value))"
        case "item_count": return "\(format(value)) items in the basket"
        case "high_risk_share": return "\(Int((value * 100).rounded())) % of the basket in high-risk categories"
        case "user_orders_1h": return count("by this user", "hour")
        case "user_orders_24h": return count("by this user", "24 hours")
        case "email_orders_1h": return count("with this email", "hour")
        case "email_orders_24h": return count("with this email", "24 hours")
        case "ip_orders_1h": return count("from this IP address", "hour")
        case "ip_orders_24h": return count("from this IP address", "24 hours")
        case "card_orders_1h": return count("with this card", "hour")
        case "card_orders_24h": return count("with this card", "24 hours")
        case "user_previous_orders": return "\(Int(value)) earlier orders by this user"
        case "amount_to_user_mean": return "amount \(format(value))x this user's average order"
        case "country_mismatch":
            return value > 0 ? "billing country differs from shipping country" : "billing and shipping country match"
        case "account_age_days": return "account " + age(days: value) + " old"
        case "card_first_use":
            return value > 0 ? "first order by this user with this card" : "card used by this user before"
        case "hour_of_day": return "placed at \(Int(value)):00 UTC"
        case "device_first_use":
            return value > 0 ? "first order by this user from this device" : "device used by this user before"
        case "address_first_use":
            return value > 0 ? "first order by this user to this shipping address" : "shipping address used before"
        case "card_accounts_24h": return accounts("used this card")
        case "address_accounts_24h": return accounts("shipped to this address")
        default: return "\(name) = \(format(value))"
        }
    }

    static func format(_ value: Double) -> String { JSONWriter.number(value, places: 2) }

    /// An age in the unit a person would say it in: "5 minutes", "3 hours", "12 days".
    static func age(days: Double) -> String {
        func unit(_ n: Int, _ name: String) -> String { "\(n) \(name)\(n == 1 ? "" : "s")" }
        let minutes = days * 24 * 60
        if minutes < 0 { return "created after the order (clock skew: \(unit(Int((-minutes).rounded()), "minute")))" }
        if minutes < 90 { return unit(Int(minutes.rounded()), "minute") }
        if minutes < 48 * 60 { return unit(Int((minutes / 60).rounded()), "hour") }
        return unit(Int(days.rounded()), "day")
    }

    /// A missing input, said as what was missing.
    static func missing(_ name: String) -> String {
        switch name {
        case "amount_to_user_mean": return "no earlier orders by this user to compare the amount with"
        case "country_mismatch": return "billing or shipping country not given"
        case "account_age_days": return "account age not given"
        case "card_first_use": return "no user or card to tell whether the card is new"
        case "high_risk_share": return "no basket lines to judge its categories"
        case "hour_of_day": return "order time not given"
        case "device_first_use": return "no user or device to tell whether the device is new"
        case "address_first_use": return "no user or shipping address to tell whether the address is new"
        case "card_accounts_24h": return "no card to count accounts by"
        case "address_accounts_24h": return "no shipping address to count accounts by"
        case "item_count": return "no basket lines"
        default:
            if name.hasSuffix("_1h") || name.hasSuffix("_24h") || name == "user_previous_orders" {
                return "no " + (name.split(separator: "_").first.map(String.init) ?? name) + " to count orders by"
            }
            return name.hasPrefix("signals.") ? "signal \(name.dropFirst(8)) not given" : "\(name) not given"
        }
    }
}
