import CartwiseModels
import RealModule

/// A realistic store generated deterministically from a seed, so that `cartwise serve --demo`
/// shows every endpoint answering with real content and every run sees the same data.
///
/// What it holds:
/// - items across 12 categories with log-normal prices and Zipf popularity (exponent 1.05);
/// - users with one to three favourite categories and heavy-tailed activity, whose sessions show
///   8 impressions (with device, page and position context), of which some are clicked, viewed,
///   added to the cart and bought (with an order id);
/// - two years of daily sales for the most popular SKUs, with a weekly cycle (weekends +35 %),
///   a yearly one (November-December peak) and week-long promotions (x1.8);
/// - orders, about 1.5 % of them labelled fraud, larger and more often at night.
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

    /// One order, for the fraud model's labels.
    package struct Order: Sendable, Equatable {
        package var id: String
        package var user: String
        package var amount: Double
        package var timestamp: Int64
        package var fraud: Bool
    }

    package var items: [Item] = []
    package var events: [Event] = []
    package var orders: [Order] = []

    package static let categories = [
        "electronics", "books", "home", "kitchen", "toys", "sports", "beauty", "fashion", "garden", "grocery", "pets",
        "office",
    ]
    private static let adjectives = [
        "Classic", "Compact", "Deluxe", "Eco", "Smart", "Pro", "Mini", "Ultra", "Soft", "Bold",
    ]
    private static let nouns = [
        "electronics": ["Headphones", "Charger", "Speaker", "Tablet", "Camera"],
        "books": ["Novel", "Cookbook", "Atlas", "Biography", "Guide"],
        "home": ["Lamp", "Rug", "Cushion", "Mirror", "Clock"],
        "kitchen": ["Kettle", "Pan", "Knife Set", "Blender", "Mug"],
        "toys": ["Puzzle", "Robot", "Doll", "Board Game", "Kite"],
        "sports": ["Yoga Mat", "Dumbbell", "Racket", "Bottle", "Helmet"],
        "beauty": ["Serum", "Lotion", "Palette", "Brush", "Perfume"],
        "fashion": ["Sneakers", "Jacket", "Scarf", "Backpack", "Watch"],
        "garden": ["Planter", "Hose", "Shears", "Seeds", "Lantern"],
        "grocery": ["Coffee", "Tea", "Olive Oil", "Granola", "Chocolate"],
        "pets": ["Leash", "Pet Bed", "Treats", "Scratcher", "Bowl"],
        "office": ["Notebook", "Desk Lamp", "Pen Set", "Chair Mat", "Organizer"],
    ]
    private static let priceLevel = [4.0, 2.8, 3.3, 3.2, 3.0, 3.1, 2.9, 3.6, 3.0, 2.2, 2.7, 2.8]

    package init(options: Options = Options()) {
        var random = SeededRandom(seed: options.seed)
        let itemCount = max(options.items, Self.categories.count)
        // Items.
        var categoryOf: [Int] = []
        var itemsByCategory = [[Int]](repeating: [], count: Self.categories.count)
        for index in 0..<itemCount {
            let category = index % Self.categories.count
            let name = Self.categories[category]
            var categories = [name]
            if random.unit() < 0.2 {
                categories.append(Self.categories[(category + 1 + Int(random.next() % 11)) % Self.categories.count])
            }
            let price = (Double.exp(Self.priceLevel[category] + 0.5 * random.normal()) * 100).rounded() / 100
            let noun = Self.nouns[name]![Int(random.next() % 5)]
            let adjective = Self.adjectives[Int(random.next() % UInt64(Self.adjectives.count))]
            items.append(
                Item(
                    id: Self.sku(index),
                    title: "\(adjective) \(noun) \(index + 1)",
                    categories: categories,
                    price: max(0.99, price),
                    available: random.unit() > 0.05,
                    stock: random.poisson(40),
                    attributes: [
                        ContextField(name: "brand", value: .string("Brand \(Int(random.next() % 40) + 1)")),
                        ContextField(name: "rating", value: .number((3 + 2 * random.unit() * 10).rounded() / 10)),
                    ]
                )
            )
            categoryOf.append(category)
            itemsByCategory[category].append(index)
        }
        // Popularity: a Zipf rank for every item, in a seeded random order.
        var byPopularity = Array(0..<itemCount)
        for index in stride(from: itemCount - 1, to: 0, by: -1) {
            byPopularity.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
        var rankOf = [Int](repeating: 0, count: itemCount)
        for (rank, item) in byPopularity.enumerated() { rankOf[item] = rank }
        for category in 0..<itemsByCategory.count { itemsByCategory[category].sort { rankOf[$0] < rankOf[$1] } }
        let global = ZipfSampler(count: itemCount, exponent: 1.05)
        let perCategory = itemsByCategory.map { ZipfSampler(count: max(1, $0.count), exponent: 1.05) }

        let startDay = options.endDay - options.days + 1
        let devices = ["mobile", "mobile", "mobile", "desktop", "desktop", "tablet"]
        let pages = ["home", "search", "category", "product"]
        var orderNumber = 0
        var sessionNumber = 0

        // Shopper sessions.
        for userIndex in 0..<options.users {
            let user = "user-" + Self.padded(userIndex + 1, 5)
            let favourites = (0..<(1 + Int(random.next() % 3))).map { _ in Int(random.next() % 12) }
            let sessions = max(1, random.poisson(Double.exp(1.4 + 0.7 * random.normal())))
            let signupDay = startDay + Int(random.next() % UInt64(options.days))
            for _ in 0..<min(sessions, 60) {
                sessionNumber += 1
                let day = signupDay + Int(random.next() % UInt64(max(1, options.endDay - signupDay + 1)))
                let hour = Self.sessionHour(&random)
                var time = Int64(day) * 86_400_000 + Int64(hour) * 3_600_000 + Int64(random.next() % 3_600_000)
                let device = devices[Int(random.next() % UInt64(devices.count))]
                let page = pages[Int(random.next() % UInt64(pages.count))]
                var cart: [Int] = []
                for position in 1...8 {
                    let preferred = random.unit() < 0.7
                    let item: Int
                    if preferred {
                        let category = favourites[Int(random.next() % UInt64(favourites.count))]
                        item = itemsByCategory[category][perCategory[category].sample(&random)]
                    } else {
                        item = byPopularity[global.sample(&random)]
                    }
                    let impression = "imp-\(sessionNumber)-\(position)"
                    let context = [
                        ContextField(name: "device", value: .string(device)),
                        ContextField(name: "page", value: .string(page)),
                        ContextField(name: "position", value: .number(Double(position))),
                    ]
                    time += Int64(1000 + random.next() % 4000)
                    events.append(
                        Event(
                            user: user,
                            item: Self.sku(item),
                            type: .impression,
                            timestamp: time,
                            impressionID: impression,
                            context: context
                        )
                    )
                    let likes = favourites.contains(categoryOf[item])
                    let clickChance =
                        (likes ? 0.16 : 0.05) * (device == "desktop" ? 1.2 : 1.0) / (1 + 0.15 * Double(position - 1))
                    guard random.unit() < clickChance else { continue }
                    time += Int64(2000 + random.next() % 20_000)
                    events.append(
                        Event(
                            user: user,
                            item: Self.sku(item),
                            type: .click,
                            timestamp: time,
                            impressionID: impression,
                            context: context
                        )
                    )
                    time += Int64(500 + random.next() % 2000)
                    events.append(
                        Event(user: user, item: Self.sku(item), type: .view, timestamp: time, context: context)
                    )
                    if random.unit() < (likes ? 0.35 : 0.15) {
                        time += Int64(5000 + random.next() % 60_000)
                        events.append(Event(user: user, item: Self.sku(item), type: .addToCart, timestamp: time))
                        cart.append(item)
                    }
                }
                let bought = cart.filter { _ in random.unit() < 0.55 }
                if !bought.isEmpty {
                    orderNumber += 1
                    let order = "ord-" + Self.padded(orderNumber, 7)
                    var amount = 0.0
                    time += Int64(30_000 + random.next() % 300_000)
                    for item in bought {
                        let quantity = 1 + (random.unit() < 0.2 ? 1 : 0)
                        let price = items[item].price ?? 10
                        amount += price * Double(quantity)
                        events.append(
                            Event(
                                user: user,
                                item: Self.sku(item),
                                type: .purchase,
                                value: Double(quantity),
                                price: price,
                                timestamp: time,
                                orderID: order
                            )
                        )
                    }
                    orders.append(
                        Self.order(order, user: user, amount: amount, time: time, hour: hour, random: &random)
                    )
                }
                if random.unit() < 0.1, let item = bought.first {
                    events.append(
                        Event(
                            user: user,
                            item: Self.sku(item),
                            type: .rating,
                            value: Double(3 + Int(random.next() % 3)),
                            timestamp: time + 5 * 86_400_000
                        )
                    )
                }
            }
        }

        // Daily sales of the most popular SKUs: weekly and yearly seasonality, promotions.
        for rank in 0..<min(options.salesItems, itemCount) {
            let item = byPopularity[rank]
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
                let quantity = random.poisson(rate)
                guard quantity > 0 else { continue }
                orderNumber += 1
                let user = "user-" + Self.padded(Int(random.next() % UInt64(options.users)) + 1, 5)
                let order = "ord-" + Self.padded(orderNumber, 7)
                let price = items[item].price ?? 10
                let hour = Self.sessionHour(&random)
                let time = Int64(day) * 86_400_000 + Int64(hour) * 3_600_000 + Int64(random.next() % 3_600_000)
                events.append(
                    Event(
                        user: user,
                        item: Self.sku(item),
                        type: .purchase,
                        value: Double(quantity),
                        price: price,
                        timestamp: time,
                        orderID: order,
                        context: [ContextField(name: "channel", value: .string("store"))]
                    )
                )
                orders.append(
                    Self.order(
                        order,
                        user: user,
                        amount: price * Double(quantity),
                        time: time,
                        hour: hour,
                        random: &random
                    )
                )
            }
        }
        events.sort { $0.timestamp < $1.timestamp }
    }

    /// Fraud is rare, larger, and more common at night.
    private static func order(
        _ id: String,
        user: String,
        amount: Double,
        time: Int64,
        hour: Int,
        random: inout SeededRandom
    )
        -> Order
    {
        let night = hour < 6
        let fraud = random.unit() < (night ? 0.05 : 0.012) * (amount > 200 ? 2 : 1)
        let total = fraud ? amount * (1.5 + random.unit() * 2) : amount
        return Order(id: id, user: user, amount: (total * 100).rounded() / 100, timestamp: time, fraud: fraud)
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

    /// The orders as CSV (`order_id,user,amount,created_at,label`, label 1 = fraud).
    package var ordersCSV: String {
        "order_id,user,amount,created_at,label\n"
            + orders.map {
                "\($0.id),\($0.user),\(JSONWriter.number($0.amount)),\(Timestamp.format($0.timestamp)),\($0.fraud ? 1 : 0)"
            }
            .joined(separator: "\n") + "\n"
    }
}
