import CartwiseModels

/// A past e-mail campaign in the demo store, so that a marketer trying the service finds a
/// readout, an uplift model and an audience to ask for.
///
/// Every shopper who had signed up by then was sent "10 % off" by e-mail 75 days before the
/// demo ends, except a hash-chosen 20 % held out as control (the campaign's own split, so the
/// readout shows no off-split exposures). Exposures carry three attributes: `tier` (bronze,
/// silver, gold), `preferred_channel` (web or app) and `newsletter_months`. Whether a shopper
/// buys in the two weeks after is drawn independently of everything else in the demo: 6 %
/// without the e-mail; with it, 1 point more, plus 8 for bronze customers (the discount wins
/// back the price-sensitive) and 3 for web shoppers (they read e-mail on the site's device), so
/// the uplift model has a known effect to find.
enum DemoCampaign {
    static let id = "demo-email-10"
    static let controlShare = 0.2
    static let startOffsetDays = 75
    static let attributionDays = 14

    /// The campaign's definition, for the campaigns log of a fresh demo directory.
    static func definition(endDay: Int) -> Campaign {
        let start = Int64(endDay - startOffsetDays) * 86_400_000
        return Campaign(
            id: id,
            offer: "10 % off, by e-mail",
            channel: "email",
            costPerContact: 0.05,
            offerCost: 5,
            valuePerResponse: nil,
            audience: .everyone,
            controlShare: controlShare,
            start: start,
            end: start + 2 * 86_400_000,
            attributionDays: attributionDays,
            outcome: .purchase,
            seed: 0,
            createdAt: start - 7 * 86_400_000
        )
    }

    /// The true uplift of the demo's campaign for a shopper with these attributes.
    static func uplift(tier: String, channel: String) -> Double {
        0.01 + (tier == "bronze" ? 0.08 : 0) + (channel == "web" ? 0.03 : 0)
    }

    /// The exposures and the purchases they led to (or that happened anyway).
    static func events(
        shoppers: [(id: String, signupDay: Int)],
        items: [Item],
        endDay: Int,
        _ random: inout SeededRandom
    ) -> [Event] {
        let campaign = definition(endDay: endDay)
        let startDay = endDay - startOffsetDays
        let sellable = items.filter { $0.price != nil }
        guard !sellable.isEmpty else { return [] }
        var events: [Event] = []
        for shopper in shoppers where shopper.signupDay < startDay {
            let tier = ["bronze", "silver", "silver", "gold"][Int(random.unit() * 4)]
            let channel = random.unit() < 0.55 ? "web" : "app"
            let months = Double(max(0, (startDay - shopper.signupDay) / 30))
            let treated = !campaign.isControl(shopper.id)
            let sent = campaign.start + Int64(random.unit() * 36_000_000)
            events.append(
                Event(
                    user: shopper.id,
                    item: "",
                    type: .exposure,
                    timestamp: sent,
                    context: [
                        ContextField(name: "tier", value: .string(tier)),
                        ContextField(name: "preferred_channel", value: .string(channel)),
                        ContextField(name: "newsletter_months", value: .number(months)),
                    ],
                    campaign: id,
                    arm: treated ? "treatment" : Campaign.controlArm
                )
            )
            let probability = 0.06 + (treated ? uplift(tier: tier, channel: channel) : 0)
            guard random.unit() < probability else { continue }
            let item = sellable[Int(random.unit() * Double(sellable.count))]
            let at = sent + Int64(random.unit() * Double(attributionDays - 1) * 86_400_000)
            events.append(
                Event(
                    user: shopper.id,
                    item: item.id,
                    type: .purchase,
                    price: ((item.price ?? 0) * (treated ? 0.9 : 1) * 100).rounded() / 100,
                    timestamp: at,
                    orderID: "camp-\(shopper.id)",
                    context: treated ? [ContextField(name: "discount", value: .number(0.1))] : []
                )
            )
        }
        return events
    }
}
