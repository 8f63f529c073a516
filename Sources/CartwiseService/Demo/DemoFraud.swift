import CartwiseModels

/// The demo's fraud, as a risk team meets it, each pattern at its own daily rate (card testing,
/// stolen cards and mule rings often through guest checkout, with no account to judge):
/// - card testing: a minutes-old account runs three to eight orders on one stolen card within
///   minutes, either tiny test charges or $1,500-2,200 of electronics, mostly shipped abroad;
/// - account takeover: in campaigns from one proxy address, established shoppers' accounts
///   order from a new device, mostly to a new address, for several times their usual amount;
/// - stolen cards: from one IP address and device, a few fresh accounts within hours pay with
///   cards from one country and ship to another;
/// - mule rings: several new accounts ship to one drop address within hours, on stolen cards
///   (sometimes one card shared by the ring);
/// - friendly fraud: an ordinary order by a known shopper, later disputed: nothing in it
///   differs from a good order, so no model finds it (as in life).
enum DemoFraud {
    static let destinations = ["NG", "RO", "BR", "PH", "UA", "GB", "DE"]

    /// Per-day rates.
    static let cardTesting = 0.25
    static let takeover = 0.35
    static let stolenCard = 0.25
    static let muleRing = 0.08
    static let friendly = 0.25

    struct Context {
        var shoppers: [DemoShopper]
        var catalog: DemoCatalog
        /// Each shopper's mean order amount so far (0: none).
        var meanAmount: [Double]
        var startDay: Int
        var endDay: Int
    }

    /// The fraudulent orders of every day, numbered from `number` on; fraudsters' own accounts
    /// are numbered after the shoppers.
    static func orders(_ context: Context, number: inout Int, random: inout SeededRandom) -> [DemoStore.Order] {
        var orders: [DemoStore.Order] = []
        var account = context.shoppers.count
        func newAccount() -> String {
            account += 1
            return "user-" + DemoStore.padded(account, 5)
        }
        func nextID() -> String {
            number += 1
            return "ord-" + DemoStore.padded(number, 7)
        }
        for day in context.startDay...context.endDay {
            for _ in 0..<random.poisson(cardTesting) {
                orders += cardTestingBurst(day, context, newAccount(), nextID, &random)
            }
            for _ in 0..<random.poisson(takeover) {
                // A credential-stuffing campaign: one proxy address, one to four accounts within hours.
                let ip = foreignIP(&random)
                var time = time(day, night: 0.15, &random)
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    if let order = accountTakeover(day, time, ip, context, nextID(), &random) { orders.append(order) }
                    time += Int64(5 + random.next() % 120) * 60_000
                }
            }
            for _ in 0..<random.poisson(stolenCard) {
                orders += stolenCards(day, context, newAccount, nextID, &random)
            }
            for _ in 0..<random.poisson(muleRing) {
                orders += ring(day, context, newAccount, nextID, &random)
            }
            for _ in 0..<random.poisson(friendly) {
                if let order = friendlyFraud(day, context, nextID(), &random) { orders.append(order) }
            }
        }
        return orders
    }

    private static func hex(_ random: inout SeededRandom) -> String {
        String(random.next() & 0xFFFF_FFFF_FFFF, radix: 16)
    }

    private static func time(_ day: Int, night: Double, _ random: inout SeededRandom) -> Int64 {
        let hour = random.unit() < night ? Int(random.next() % 6) : 6 + Int(random.next() % 18)
        return Int64(day) * 86_400_000 + Int64(hour) * 3_600_000 + Int64(random.next() % 3_600_000)
    }

    private static func foreignIP(_ random: inout SeededRandom) -> String {
        "185.\(random.next() % 256).\(random.next() % 256).\(random.next() % 256)"
    }

    /// Lines of premium items from `categories` until the amount reaches `least`.
    private static func basket(
        _ catalog: DemoCatalog,
        categories: [Int],
        least: Double,
        most: Double,
        _ random: inout SeededRandom
    ) -> [DemoStore.Line] {
        var lines: [DemoStore.Line] = []
        var total = 0.0
        while total < least && lines.count < 16 {
            let category = categories[Int(random.next() % UInt64(categories.count))]
            let members = catalog.byCategory[category]
            // Resellable goods: the dearest tenth of the category.
            let dearest = members.sorted { catalog.price[$0] > catalog.price[$1] }.prefix(max(1, members.count / 10))
            let pool = Array(dearest)
            let item = pool[Int(random.next() % UInt64(pool.count))]
            let price = catalog.price[item]
            // One or two of each, as a person orders: the amount comes from more lines.
            let quantity = random.unit() < 0.3 && total + 2 * price <= most ? 2.0 : 1.0
            lines.append(DemoStore.Line(item: DemoStore.sku(item), quantity: quantity, price: price))
            total += quantity * price
        }
        return lines
    }

    private static func cheap(_ catalog: DemoCatalog, _ random: inout SeededRandom) -> [DemoStore.Line] {
        let cheapest = catalog.price.indices.filter { catalog.price[$0] < 15 }
        let item = cheapest.isEmpty ? 0 : cheapest[Int(random.next() % UInt64(cheapest.count))]
        return [DemoStore.Line(item: DemoStore.sku(item), quantity: 1, price: catalog.price[item])]
    }

    private static func cardTestingBurst(
        _ day: Int,
        _ context: Context,
        _ user: String,
        _ nextID: () -> String,
        _ random: inout SeededRandom
    ) -> [DemoStore.Order] {
        var time = time(day, night: 0.2, &random)
        let created = time - Int64(2 + random.next() % 18) * 60_000
        let card = "fp-" + hex(&random)
        let billing = random.unit() < 0.8 ? "US" : "GB"
        let shipping = random.unit() < 0.7 ? destinations[Int(random.next() % UInt64(destinations.count))] : billing
        let large = random.unit() < 0.5
        let device = "dev-" + hex(&random)
        let ip = foreignIP(&random)
        let address = "\(1 + random.next() % 90) Harbour Rd \(shipping) \(hex(&random).prefix(4))"
        let email = "\(hex(&random))@tempmail.example"
        let guest = random.unit() < 0.5
        var orders: [DemoStore.Order] = []
        for _ in 0..<(3 + Int(random.next() % 6)) {
            let lines =
                large
                ? basket(context.catalog, categories: [0], least: 1500, most: 2200, &random)
                : cheap(context.catalog, &random)
            orders.append(
                DemoStore.Order(
                    id: nextID(),
                    user: user,
                    timestamp: time,
                    fraud: true,
                    pattern: "card_testing",
                    email: email,
                    ip: ip,
                    device: device,
                    address: address,
                    card: card,
                    bin: DemoShopper.bins[billing]!,
                    shippingCountry: shipping,
                    billingCountry: billing,
                    accountCreatedAt: created,
                    lines: lines,
                    guest: guest
                )
            )
            time += Int64(40 + random.next() % 80) * 1000
        }
        return orders
    }

    private static func accountTakeover(
        _ day: Int,
        _ time: Int64,
        _ ip: String,
        _ context: Context,
        _ id: String,
        _ random: inout SeededRandom
    ) -> DemoStore.Order? {
        // An established account with orders behind it.
        for _ in 0..<20 {
            let shopper = context.shoppers[Int(random.next() % UInt64(context.shoppers.count))]
            guard shopper.signupDay + 30 < day, context.meanAmount[shopper.index] > 0 else { continue }
            let moved = random.unit() < 0.4
            let shipping = moved ? destinations[Int(random.next() % UInt64(destinations.count))] : shopper.country
            let newCard = random.unit() < 0.4
            let usual = context.meanAmount[shopper.index]
            let lines = basket(
                context.catalog,
                categories: [0, 7],
                least: max(300, usual * (3 + 5 * random.unit())),
                most: max(900, usual * 12),
                &random
            )
            return DemoStore.Order(
                id: id,
                user: shopper.id,
                timestamp: time,
                fraud: true,
                pattern: "account_takeover",
                email: shopper.email,
                ip: ip,
                device: "dev-" + hex(&random),
                address: random.unit() < 0.75
                    ? "\(1 + random.next() % 90) Depot Way \(hex(&random).prefix(5))" : shopper.address,
                card: newCard ? "fp-" + hex(&random) : shopper.cards[0],
                bin: newCard ? DemoShopper.bins["US"]! : shopper.bin,
                shippingCountry: shipping,
                billingCountry: shopper.country,
                accountCreatedAt: shopper.accountCreatedAt,
                lines: lines
            )
        }
        return nil
    }

    /// A fraudster with a list of stolen cards: two to four orders from one IP address and
    /// device within a few hours, each from a fresh account, on a fresh card or the last one
    /// again.
    private static func stolenCards(
        _ day: Int,
        _ context: Context,
        _ newAccount: () -> String,
        _ nextID: () -> String,
        _ random: inout SeededRandom
    ) -> [DemoStore.Order] {
        var time = time(day, night: 0.15, &random)
        let ip = foreignIP(&random)
        let device = "dev-" + hex(&random)
        let billing = random.unit() < 0.7 ? "US" : "GB"
        var card = "fp-" + hex(&random)
        var orders: [DemoStore.Order] = []
        for index in 0..<(2 + Int(random.next() % 3)) {
            if index > 0 && random.unit() < 0.6 { card = "fp-" + hex(&random) }
            let shipping =
                random.unit() < 0.85 ? destinations[Int(random.next() % UInt64(destinations.count))] : billing
            let categories = random.unit() < 0.6 ? [0] : [5, 7, 3]
            // Some fraudsters let an account age before they use it.
            let age = Int64(10 + random.next() % (random.unit() < 0.5 ? 1440 : 60 * 1440)) * 60_000
            orders.append(
                DemoStore.Order(
                    id: nextID(),
                    user: newAccount(),
                    timestamp: time,
                    fraud: true,
                    pattern: "stolen_card",
                    email: "\(hex(&random))@mail.example",
                    ip: ip,
                    device: device,
                    address: "\(1 + random.next() % 90) Canal St \(shipping) \(hex(&random).prefix(4))",
                    card: card,
                    bin: DemoShopper.bins[billing]!,
                    shippingCountry: shipping,
                    billingCountry: billing,
                    accountCreatedAt: time - age,
                    lines: basket(context.catalog, categories: categories, least: 200, most: 1500, &random),
                    guest: random.unit() < 0.6
                )
            )
            time += Int64(5 + random.next() % 90) * 60_000
        }
        return orders
    }

    private static func ring(
        _ day: Int,
        _ context: Context,
        _ newAccount: () -> String,
        _ nextID: () -> String,
        _ random: inout SeededRandom
    ) -> [DemoStore.Order] {
        let country = random.unit() < 0.6 ? "US" : "GB"
        let drop = "\(1 + random.next() % 90) Warehouse Row \(country) \(hex(&random).prefix(4))"
        let shared = random.unit() < 0.4 ? "fp-" + hex(&random) : nil
        var time = time(day, night: 0.1, &random)
        var orders: [DemoStore.Order] = []
        for _ in 0..<(3 + Int(random.next() % 4)) {
            let user = newAccount()
            orders.append(
                DemoStore.Order(
                    id: nextID(),
                    user: user,
                    timestamp: time,
                    fraud: true,
                    pattern: "mule_ring",
                    email: "\(hex(&random))@mail.example",
                    ip: foreignIP(&random),
                    device: "dev-" + hex(&random),
                    address: drop,
                    card: shared ?? "fp-" + hex(&random),
                    bin: DemoShopper.bins[random.unit() < 0.5 ? country : "US"]!,
                    shippingCountry: country,
                    billingCountry: random.unit() < 0.5 ? country : "US",
                    accountCreatedAt: time - Int64(1 + random.next() % 60) * 86_400_000,
                    lines: basket(context.catalog, categories: [0, 7, 6], least: 150, most: 900, &random),
                    guest: random.unit() < 0.4
                )
            )
            time += Int64(20 + random.next() % 120) * 60_000
        }
        return orders
    }

    private static func friendlyFraud(
        _ day: Int,
        _ context: Context,
        _ id: String,
        _ random: inout SeededRandom
    ) -> DemoStore.Order? {
        for _ in 0..<20 {
            let shopper = context.shoppers[Int(random.next() % UInt64(context.shoppers.count))]
            guard shopper.signupDay < day, context.meanAmount[shopper.index] > 0 else { continue }
            let category = shopper.favourites(on: day)[0]
            let item = context.catalog.pick(in: category, for: shopper, &random)
            return DemoStore.Order(
                id: id,
                user: shopper.id,
                timestamp: time(day, night: 0.1, &random),
                fraud: true,
                pattern: "friendly_fraud",
                email: shopper.email,
                ip: shopper.ip,
                device: shopper.devices[0],
                address: shopper.address,
                card: shopper.cards[0],
                bin: shopper.bin,
                shippingCountry: shopper.country,
                billingCountry: shopper.country,
                accountCreatedAt: shopper.accountCreatedAt,
                lines: [DemoStore.Line(item: DemoStore.sku(item), quantity: 1, price: context.catalog.price[item])]
            )
        }
        return nil
    }
}
