package import CartwiseModels

/// What order risk needs to know (the `risk.*` settings).
package struct RiskSettings: Sendable {
    /// Allow or block lists, checked in this order: user, email, IP, card.
    package struct Lists: Sendable, Equatable {
        package var users: Set<String> = []
        package var emails: Set<String> = []
        package var ips: Set<String> = []
        package var cards: Set<String> = []

        package init(users: Set<String> = [], emails: Set<String> = [], ips: Set<String> = [], cards: Set<String> = [])
        {
            self.users = users
            self.emails = emails
            self.ips = ips
            self.cards = cards
        }

        /// The first list the order is on, as `user`, `email`, `ip` or `card`.
        package func match(_ order: Order) -> String? {
            if let user = order.user, users.contains(user) { return "user" }
            if let email = order.email, emails.contains(email) { return "email" }
            if let ip = order.ip, ips.contains(ip) { return "ip" }
            if let card = order.cardFingerprint, cards.contains(card) { return "card" }
            return nil
        }
    }

    package var reviewThreshold = 0.3
    package var declineThreshold = 0.8
    package var minLabels = 200
    package var minFraudLabels = 20
    /// Milliseconds.
    package var retrainInterval: Int64 = 60_000
    package var parameters = GradientBoostedTrees.Parameters()
    package var reasons = 5
    package var recentOrders = 100_000
    /// Orders the training set holds in memory (`risk.max_orders`).
    package var maxOrders = 2_000_000
    package var highRiskCategories: Set<String> = ["gift-cards", "electronics"]
    package var allow = Lists()
    package var block = Lists()

    package init() {}
}
