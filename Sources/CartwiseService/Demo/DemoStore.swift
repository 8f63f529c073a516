import CartwiseModels
import RealModule

/// A realistic store generated deterministically from a seed, so that `cartwise serve --demo`
/// shows every endpoint answering with real content and every run sees the same data.
///
/// What it holds:
/// - items in 12 categories, six brands each, with log-normal prices in three price bands and
///   Zipf popularity (``DemoCatalog``);
/// - shoppers with one to three favourite categories, a price band and a favourite brand per
///   category, a third of whom change a taste partway (``DemoShopper``); each session stays on
///   one topic (a liked category, or a seasonal browse: toys before Christmas, garden in
///   spring), shows 8 impressions (with device, page and position context) mostly from that
///   topic and the shopper's band, of which some are clicked, viewed, added to the cart and
///   bought (with an order id); consumables (grocery, beauty, pets, office) are bought again
///   about monthly; some purchases are returned (clothes most); a third of the shoppers lapse
///   (stop coming back after a mean of 120 days);
/// - two years of daily sales for the most popular SKUs, with a weekly cycle (weekends +35 %),
///   a yearly one (November-December peak) and week-long promotions (x1.8);
/// - orders with everything a checkout sends (email, IP, device, card, countries, address,
///   account age, basket), about 1.5 % of them fraud in the patterns of ``DemoFraud``, and
///   good orders with the noise real ones have (gifts shipped abroad, new phones, new cards,
///   accounts that order minutes after signing up);
/// - a past e-mail campaign with a hash-split control group and a known uplift
///   (``DemoCampaign``).
package struct DemoStore {
    package struct Options: Sendable {
        package var seed: UInt64 = 42
        package var users = 3000
        package var items = 1200
        package var days = 730
        package var salesItems = 300
        /// The last day of data (days since 1970-01-01). Fixed by default, so tests do not depend
        /// on when they run; `serve --demo` and `cartwise demo` generate up to today
        /// (``endingToday()``), so forecasts start tomorrow, not a month ago.
        package var endDay = Timestamp.daysFromCivil(2026, 11, 1)

        package init() {}

        /// The default options with data up to today.
        package static func endingToday() -> Options {
            var options = Options()
            options.endDay = Int(WallClock.milliseconds() / 86_400_000)
            return options
        }
    }

    package struct Line: Sendable, Equatable {
        package var item: String
        package var quantity: Double
        package var price: Double
    }

    /// One order as the checkout saw it, and its label for the fraud model.
    package struct Order: Sendable, Equatable {
        package var id: String
        package var user: String
        package var timestamp: Int64
        package var fraud: Bool
        /// `legit`, or the fraud pattern (``DemoFraud``); not exported (a model must not see it).
        package var pattern: String
        package var email: String
        package var ip: String
        package var device: String
        package var address: String
        package var card: String
        package var bin: String
        package var shippingCountry: String
        package var billingCountry: String
        package var accountCreatedAt: Int64
        package var lines: [Line]
        /// A guest checkout: the order names no account (no user, no account age).
        package var guest = false

        package var amount: Double {
            (lines.reduce(0) { $0 + $1.quantity * $1.price } * 100).rounded() / 100
        }
    }

    package var items: [Item] = []
    package var events: [Event] = []
    package var orders: [Order] = []

    package static var categories: [String] { DemoCatalog.categories }

    package init(options: Options = Options()) {
        var random = SeededRandom(seed: options.seed)
        let catalog = DemoCatalog(count: options.items, random: &random)
        items = catalog.items
        let startDay = options.endDay - options.days + 1
        var shoppers = (0..<options.users).map {
            DemoShopper(index: $0, startDay: startDay, endDay: options.endDay, random: &random)
        }
        var number = 0
        var sessionNumber = 0
        for index in shoppers.indices {
            generateSessions(
                &shoppers[index],
                catalog: catalog,
                options: options,
                number: &number,
                sessionNumber: &sessionNumber,
                &random
            )
        }
        generateSales(
            &shoppers,
            catalog: catalog,
            options: options,
            number: &number,
            &random
        )
        var totals = [(amount: Double, orders: Int)](repeating: (0, 0), count: shoppers.count)
        var indexOf: [String: Int] = [:]
        for (index, shopper) in shoppers.enumerated() { indexOf[shopper.id] = index }
        for order in orders {
            guard let index = indexOf[order.user] else { continue }
            totals[index].amount += order.amount
            totals[index].orders += 1
        }
        let context = DemoFraud.Context(
            shoppers: shoppers,
            catalog: catalog,
            meanAmount: totals.map { $0.orders > 0 ? $0.amount / Double($0.orders) : 0 },
            startDay: startDay,
            endDay: options.endDay
        )
        orders += DemoFraud.orders(context, number: &number, random: &random)
        // Its own generator, so that adding it left every other demo figure as it was.
        var campaignRandom = SeededRandom(seed: options.seed &+ 0xCA4B)
        events += DemoCampaign.events(
            shoppers: shoppers.map { ($0.id, $0.signupDay) },
            items: items,
            endDay: options.endDay,
            &campaignRandom
        )
        events.sort { $0.timestamp < $1.timestamp }
        // In time order: the importer derives each order's velocity from the ones before it.
        orders.sort { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
    }

    /// A day's weight in the year: the November-December peak.
    private static func seasonal(_ day: Int) -> Double {
        let (_, month, dayOfMonth) = Timestamp.civilFromDays(day)
        let dayOfYear = Double((month - 1) * 30 + dayOfMonth)
        return 1 + 0.3 * Double.cos(2 * Double.pi * (dayOfYear - 340) / 365)
    }

    /// A category for a browsing session, weighted by the month: toys before Christmas, garden
    /// in spring, sports in January, fashion in autumn.
    static func seasonalCategory(day: Int, _ random: inout SeededRandom) -> Int {
        let (_, month, _) = Timestamp.civilFromDays(day)
        var weights = [Double](repeating: 1, count: DemoCatalog.categories.count)
        if month >= 11 { weights[4] = 3 }
        if (4...6).contains(month) { weights[8] = 3 }
        if month == 1 { weights[5] = 2 }
        if (9...10).contains(month) { weights[7] = 1.5 }
        var target = random.unit() * weights.reduce(0, +)
        for (category, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return category }
        }
        return weights.count - 1
    }

    private mutating func generateSessions(
        _ shopper: inout DemoShopper,
        catalog: DemoCatalog,
        options: Options,
        number: inout Int,
        sessionNumber: inout Int,
        _ random: inout SeededRandom
    ) {
        let devices = ["mobile", "mobile", "mobile", "desktop", "desktop", "tablet"]
        let pages = ["home", "search", "category", "product"]
        let count = min(60, max(1, random.poisson(Double.exp(1.4 + 0.7 * random.normal()))))
        var starts: [Int64] = []
        while starts.count < count {
            let day = shopper.signupDay + Int(random.next() % UInt64(max(1, options.endDay - shopper.signupDay + 1)))
            guard random.unit() * 1.3 < Self.seasonal(day) else { continue }
            let hour = Self.sessionHour(&random)
            starts.append(Int64(day) * 86_400_000 + Int64(hour) * 3_600_000 + Int64(random.next() % 3_600_000))
        }
        starts.sort()
        // A third of the shoppers stop coming back after a while (mean 120 days): their sessions
        // fall between signing up and leaving, so the store has lapsed customers for churn risk
        // to find. Drawn from a generator of the shopper's own, which leaves the main stream's
        // draws as they were.
        var fate = SeededRandom(seed: (options.seed ^ 0x5EED_C0DE) &+ UInt64(shopper.index))
        if fate.unit() < 0.35 {
            let span = Double(options.endDay - shopper.signupDay + 1)
            let factor = min(span, -Double.log(1 - fate.unit()) * 120) / span
            starts = starts.map { start in
                let day = Int(start / 86_400_000)
                let kept = shopper.signupDay + Int(Double(day - shopper.signupDay) * factor)
                return Int64(kept) * 86_400_000 + start % 86_400_000
            }
        }
        // Half of those who shop on their first day sign up minutes before.
        if Int(starts[0] / 86_400_000) == shopper.signupDay && random.unit() < 0.5 {
            shopper.accountCreatedAt = starts[0] - Int64(3 + random.next() % 38) * 60_000
        } else {
            shopper.accountCreatedAt =
                Int64(shopper.signupDay) * 86_400_000 - Int64(random.next() % (12 * 3_600_000))
        }
        /// Consumables bought, and the day of the last purchase.
        var pantry: [Int: Int] = [:]
        for start in starts {
            sessionNumber += 1
            var time = start
            let day = Int(start / 86_400_000)
            let topic = shopper.topic(on: day, &random)
            let device = devices[Int(random.next() % UInt64(devices.count))]
            let page = pages[Int(random.next() % UInt64(pages.count))]
            var cart: [Int] = []
            for position in 1...8 {
                let item =
                    random.unit() < 0.8 ? catalog.pick(in: topic, for: shopper, &random) : catalog.popular(&random)
                let impression = "imp-\(sessionNumber)-\(position)"
                let context = [
                    ContextField(name: "device", value: .string(device)),
                    ContextField(name: "page", value: .string(page)),
                    ContextField(name: "position", value: .number(Double(position))),
                ]
                time += Int64(1000 + random.next() % 4000)
                events.append(
                    Event(
                        user: shopper.id,
                        item: Self.sku(item),
                        type: .impression,
                        timestamp: time,
                        impressionID: impression,
                        context: context
                    )
                )
                let likes = shopper.likes(catalog.category[item], on: day)
                let inBand = catalog.band[item] == shopper.band
                let favouriteBrand = shopper.brands[catalog.category[item]] == catalog.brand[item]
                let clickChance =
                    (likes ? 0.16 : 0.04) * (inBand ? 1.3 : 0.8) * (favouriteBrand ? 1.3 : 1)
                    * (device == "desktop" ? 1.2 : 1.0) / (1 + 0.15 * Double(position - 1))
                guard random.unit() < clickChance else { continue }
                time += Int64(2000 + random.next() % 20_000)
                events.append(
                    Event(
                        user: shopper.id,
                        item: Self.sku(item),
                        type: .click,
                        timestamp: time,
                        impressionID: impression,
                        context: context
                    )
                )
                time += Int64(500 + random.next() % 2000)
                events.append(
                    Event(user: shopper.id, item: Self.sku(item), type: .view, timestamp: time, context: context)
                )
                if random.unit() < (likes ? 0.35 : 0.12) * (inBand ? 1.2 : 0.7) {
                    time += Int64(5000 + random.next() % 60_000)
                    events.append(Event(user: shopper.id, item: Self.sku(item), type: .addToCart, timestamp: time))
                    cart.append(item)
                }
            }
            var bought = cart.filter { _ in random.unit() < 0.55 }
            // A consumable runs out about monthly: bought again, straight from the account page.
            // (Ties broken by item: a dictionary's order differs between runs.)
            if let (item, last) = pantry.min(by: { ($0.value, $0.key) < ($1.value, $1.key) }), day - last >= 25,
                random.unit() < 0.6,
                !bought.contains(item)
            {
                time += Int64(10_000 + random.next() % 60_000)
                events.append(Event(user: shopper.id, item: Self.sku(item), type: .view, timestamp: time))
                bought.append(item)
            }
            if !bought.isEmpty {
                number += 1
                let id = "ord-" + Self.padded(number, 7)
                time += Int64(30_000 + random.next() % 300_000)
                var lines: [Line] = []
                for item in bought {
                    let quantity = Double(1 + (random.unit() < (catalog.isConsumable(item) ? 0.4 : 0.15) ? 1 : 0))
                    let price = catalog.price[item]
                    lines.append(Line(item: Self.sku(item), quantity: quantity, price: price))
                    events.append(
                        Event(
                            user: shopper.id,
                            item: Self.sku(item),
                            type: .purchase,
                            value: quantity,
                            price: price,
                            timestamp: time,
                            orderID: id
                        )
                    )
                    if catalog.isConsumable(item) { pantry[item] = day }
                    returnSome(
                        item,
                        quantity: quantity,
                        user: shopper.id,
                        order: id,
                        at: time,
                        catalog,
                        options,
                        &random
                    )
                }
                orders.append(Self.goodOrder(id, &shopper, lines: lines, time: time, &random))
            }
            if random.unit() < 0.1, let item = bought.first, time + 5 * 86_400_000 < Self.end(options) {
                events.append(
                    Event(
                        user: shopper.id,
                        item: Self.sku(item),
                        type: .rating,
                        value: Double(3 + Int(random.next() % 3)),
                        timestamp: time + 5 * 86_400_000
                    )
                )
            }
        }
    }

    /// Daily sales of the most popular SKUs: weekly and yearly seasonality, promotions. A
    /// day's units are orders of one or two by shoppers who like the item's category and had
    /// signed up by then (any shopper signed up when none likes it), so the series add up from
    /// orders a shopper would place.
    private mutating func generateSales(
        _ shoppers: inout [DemoShopper],
        catalog: DemoCatalog,
        options: Options,
        number: inout Int,
        _ random: inout SeededRandom
    ) {
        let startDay = options.endDay - options.days + 1
        // Per category, and for anyone: shoppers by sign-up day, and how many signed up before each day.
        func bySignup(_ members: [Int]) -> (members: [Int], before: [Int]) {
            let sorted = members.sorted { shoppers[$0].signupDay < shoppers[$1].signupDay }
            var before: [Int] = []
            var cursor = 0
            for day in startDay...options.endDay {
                while cursor < sorted.count && shoppers[sorted[cursor]].signupDay < day { cursor += 1 }
                before.append(cursor)
            }
            return (sorted, before)
        }
        let everyone = bySignup(Array(shoppers.indices))
        var occasional: [Int] = []
        var guests = 0
        let fans = DemoCatalog.categories.indices.map { category in
            bySignup(shoppers.indices.filter { shoppers[$0].favourites.contains(category) })
        }
        for rank in 0..<min(options.salesItems, catalog.items.count) {
            let item = catalog.byPopularity[rank]
            let category = catalog.category[item]
            let base = 12.0 / Double.pow(Double(rank + 1), 0.6)
            let weekendLift = 1.1 + 0.5 * random.unit()
            var promotionUntil = -1
            for day in startDay...options.endDay {
                if day > promotionUntil && random.unit() < 1.0 / 90 { promotionUntil = day + 6 }
                let (_, month, dayOfMonth) = Timestamp.civilFromDays(day)
                let dayOfYear = Double((month - 1) * 30 + dayOfMonth)
                let weekday = (day + 4) % 7  // 0 = Sunday
                var rate = base * (1 + 0.35 * Double.cos(2 * Double.pi * (dayOfYear - 340) / 365))
                if weekday == 0 || weekday == 6 { rate *= weekendLift }
                if day <= promotionUntil { rate *= 1.8 }
                var units = random.poisson(rate)
                let pool = fans[category].before[day - startDay] > 0 ? fans[category] : everyone
                let signedUp = pool.before[day - startDay]
                while units > 0 {
                    let quantity = min(units, random.unit() < 0.25 ? 2 : 1)
                    units -= quantity
                    number += 1
                    let hour = Self.sessionHour(&random)
                    let time = Int64(day) * 86_400_000 + Int64(hour) * 3_600_000 + Int64(random.next() % 3_600_000)
                    var shopper = pool.members[signedUp == 0 ? 0 : Int(random.next() % UInt64(signedUp))]
                    // Occasional customers: 15 % of the units are guest checkouts, 5 % go to
                    // someone who signs up at checkout, 15 % to one who did so earlier.
                    let draw = random.unit()
                    var guest: DemoShopper?
                    if draw < 0.15 {
                        guests += 1
                        var identity = DemoShopper(index: 100_000 + guests, startDay: day, endDay: day, random: &random)
                        identity.id = "guest-" + Self.padded(guests, 6)
                        identity.accountCreatedAt = time
                        guest = identity
                    } else if draw < 0.35 {
                        var returning: Int?
                        if draw >= 0.2 && !occasional.isEmpty {
                            let candidate = occasional[Int(random.next() % UInt64(occasional.count))]
                            if shoppers[candidate].accountCreatedAt < time - 3_600_000 { returning = candidate }
                        }
                        if let returning {
                            shopper = returning
                        } else {
                            var newcomer = DemoShopper(
                                index: shoppers.count,
                                startDay: day,
                                endDay: day,
                                random: &random
                            )
                            newcomer.favourites = [category]
                            newcomer.weights = [1]
                            newcomer.brands = [category: catalog.brand[item]]
                            newcomer.accountCreatedAt = time - Int64(2 + random.next() % 28) * 60_000
                            shoppers.append(newcomer)
                            occasional.append(shoppers.count - 1)
                            shopper = shoppers.count - 1
                        }
                    }
                    let id = "ord-" + Self.padded(number, 7)
                    let price = catalog.price[item]
                    events.append(
                        Event(
                            user: guest?.id ?? shoppers[shopper].id,
                            item: Self.sku(item),
                            type: .purchase,
                            value: Double(quantity),
                            price: price,
                            timestamp: time,
                            orderID: id,
                            context: [ContextField(name: "channel", value: .string("app"))]
                        )
                    )
                    let lines = [Line(item: Self.sku(item), quantity: Double(quantity), price: price)]
                    returnSome(
                        item,
                        quantity: Double(quantity),
                        user: guest?.id ?? shoppers[shopper].id,
                        order: id,
                        at: time,
                        catalog,
                        options,
                        &random
                    )
                    if var guest {
                        var order = Self.goodOrder(id, &guest, lines: lines, time: time, &random)
                        order.guest = true
                        orders.append(order)
                    } else {
                        orders.append(Self.goodOrder(id, &shoppers[shopper], lines: lines, time: time, &random))
                    }
                }
            }
        }
    }

    /// The first millisecond after the last day: nothing is generated after it.
    private static func end(_ options: Options) -> Int64 { Int64(options.endDay + 1) * 86_400_000 }

    /// Some purchases come back 3 to 25 days later: clothes most (12 %), electronics (6 %), the
    /// rest 3 %; never after the last day.
    private mutating func returnSome(
        _ item: Int,
        quantity: Double,
        user: String,
        order: String,
        at time: Int64,
        _ catalog: DemoCatalog,
        _ options: Options,
        _ random: inout SeededRandom
    ) {
        let rate = [0: 0.06, 7: 0.12][catalog.category[item]] ?? 0.03
        guard random.unit() < rate else { return }
        let back = time + Int64(3 + random.next() % 23) * 86_400_000 + Int64(random.next() % 86_400_000)
        guard back < Self.end(options) else { return }
        events.append(
            Event(user: user, item: Self.sku(item), type: .returned, value: quantity, timestamp: back, orderID: order)
        )
    }

    /// A good order with the noise real ones have: a gift shipped elsewhere, a new phone, a new
    /// card, a mobile IP.
    private static func goodOrder(
        _ id: String,
        _ shopper: inout DemoShopper,
        lines: [Line],
        time: Int64,
        _ random: inout SeededRandom
    ) -> Order {
        if random.unit() < 0.05 { shopper.devices.append("dev-\(String(random.next() & 0xFFFF_FFFF_FFFF, radix: 16))") }
        if random.unit() < 0.02 { shopper.cards.append("fp-\(String(random.next() & 0xFFFF_FFFF_FFFF, radix: 16))") }
        let gift = random.unit() < 0.04
        let abroad = gift && random.unit() < 0.5
        let shipping =
            abroad ? DemoShopper.countries[Int(random.next() % UInt64(DemoShopper.countries.count))] : shopper.country
        return Order(
            id: id,
            user: shopper.id,
            timestamp: time,
            fraud: false,
            pattern: "legit",
            email: shopper.email,
            // Mobile carriers put many customers behind a few addresses (carrier-grade NAT).
            ip: random.unit() < 0.6 ? shopper.ip : "100.64.0.\(random.next() % 250)",
            device: shopper.devices[
                shopper.devices.count - 1
                    - (random.unit() < 0.2 ? Int(random.next() % UInt64(shopper.devices.count)) : 0)
            ],
            address: gift ? "\(1 + random.next() % 400) Elm St Gift \(random.next() % 10_000)" : shopper.address,
            card: shopper.cards[shopper.cards.count - 1],
            bin: shopper.bin,
            shippingCountry: shipping,
            billingCountry: shopper.country,
            accountCreatedAt: shopper.accountCreatedAt,
            lines: lines
        )
    }

    /// Hours weighted toward the evening, like real storefront traffic.
    private static func sessionHour(_ random: inout SeededRandom) -> Int {
        let weights: [Double] = [2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 7, 8, 7, 6, 6, 7, 8, 10, 12, 12, 10, 7, 4]
        var target = random.unit() * 136
        for (hour, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return hour }
        }
        return 23
    }

    static func sku(_ index: Int) -> String { "sku-" + padded(index + 1, 5) }

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// The orders as CSV, in the columns `cartwise import orders` reads as the order's fields
    /// (label 1 = fraud; the fraud pattern is not written: it is the answer).
    package var ordersCSV: String {
        var out =
            "order_id,user,amount,created_at,label,email,ip,device_id,shipping_address,card_fingerprint,card_bin,"
            + "payment_method,currency,shipping_country,billing_country,account_created_at,items\n"
        for order in orders {
            let lines = order.lines.map {
                "\($0.item):\(JSONWriter.number($0.quantity)):\(JSONWriter.number($0.price))"
            }
            let fields = [
                order.id, order.guest ? "" : order.user, JSONWriter.number(order.amount),
                Timestamp.format(order.timestamp),
                order.fraud ? "1" : "0", order.email, order.ip, order.device, order.address, order.card, order.bin,
                "card", "USD", order.shippingCountry, order.billingCountry,
                order.guest ? "" : Timestamp.format(order.accountCreatedAt),
                lines.joined(separator: " "),
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }
}
