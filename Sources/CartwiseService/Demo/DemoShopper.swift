import CartwiseModels

/// One demo shopper: who they are to a checkout (email, country, cards, devices, address, IP)
/// and what they like (one to three categories, the first the strongest; a price band; a
/// favourite brand per liked category). A third of shoppers change one taste partway: from
/// their drift day on, their last favourite category is another one.
struct DemoShopper {
    static let countries = ["US", "US", "US", "US", "US", "GB", "GB", "DE", "DE", "FR", "CA", "CA", "ES"]
    static let bins = ["US": "411111", "GB": "475129", "DE": "535522", "FR": "497010", "CA": "450644", "ES": "454742"]
    private static let streets = ["Main St", "Oak Ave", "Maple Rd", "High St", "Park Lane", "Elm St", "Mill Road"]
    private static let cities = [
        "US": "Springfield", "GB": "Leeds", "DE": "Köln", "FR": "Lyon", "CA": "Halifax", "ES": "Sevilla",
    ]

    var index: Int
    var id: String
    var favourites: [Int]
    var weights: [Double]
    var band: Int
    /// Favourite brand per category (only liked ones).
    var brands: [Int: Int]
    var driftDay: Int
    var driftTo: Int
    var signupDay: Int
    /// Set once the shopper's session days are known (a first order may follow sign-up within minutes).
    var accountCreatedAt: Int64 = 0
    var email: String
    var country: String
    var ip: String
    var cards: [String]
    var devices: [String]
    var address: String

    init(index: Int, startDay: Int, endDay: Int, random: inout SeededRandom) {
        self.index = index
        id = "user-" + DemoStore.padded(index + 1, 5)
        let count = 1 + (random.unit() < 0.45 ? 1 : 0) + (random.unit() < 0.25 ? 1 : 0)
        var liked: [Int] = []
        while liked.count < count {
            let category = Int(random.next() % UInt64(DemoCatalog.categories.count))
            if !liked.contains(category) { liked.append(category) }
        }
        favourites = liked
        weights = [0.6, 0.28, 0.12].prefix(count).map { $0 }
        let draw = random.unit()
        band = draw < 0.35 ? 0 : (draw < 0.8 ? 1 : 2)
        var brands: [Int: Int] = [:]
        for category in liked { brands[category] = Int(random.next() % UInt64(DemoCatalog.brandsPerCategory)) }
        signupDay = startDay + Int(random.next() % UInt64(max(1, endDay - startDay + 1)))
        if random.unit() < 0.33 {
            driftDay = signupDay + Int(random.next() % UInt64(max(1, endDay - signupDay + 1)))
            var target = Int(random.next() % UInt64(DemoCatalog.categories.count))
            while liked.contains(target) { target = (target + 1) % DemoCatalog.categories.count }
            driftTo = target
            brands[target] = Int(random.next() % UInt64(DemoCatalog.brandsPerCategory))
        } else {
            driftDay = Int.max
            driftTo = liked[liked.count - 1]
        }
        self.brands = brands
        country = Self.countries[Int(random.next() % UInt64(Self.countries.count))]
        email = "shopper\(index + 1)@mail.example"
        ip = "203.\(index / 65_536 % 256).\(index / 256 % 256).\(index % 256)"
        cards = ["fp-\(String(random.next() & 0xFFFF_FFFF_FFFF, radix: 16))"]
        devices = ["dev-\(String(random.next() & 0xFFFF_FFFF_FFFF, radix: 16))"]
        let street = Self.streets[Int(random.next() % UInt64(Self.streets.count))]
        address = "\(1 + Int(random.next() % 400)) \(street) \(Self.cities[country]!) \(index)"
    }

    /// The categories liked on `day` (after the drift day the last one has changed).
    func favourites(on day: Int) -> [Int] {
        guard day >= driftDay else { return favourites }
        var changed = favourites
        changed[changed.count - 1] = driftTo
        return changed
    }

    /// A session's topic: mostly a liked category (by weight), sometimes a seasonal browse.
    func topic(on day: Int, _ random: inout SeededRandom) -> Int {
        if random.unit() < 0.85 {
            let liked = favourites(on: day)
            var target = random.unit() * weights.reduce(0, +)
            for (position, weight) in weights.enumerated() {
                target -= weight
                if target < 0 { return liked[position] }
            }
            return liked[0]
        }
        return DemoStore.seasonalCategory(day: day, &random)
    }

    func likes(_ category: Int, on day: Int) -> Bool { favourites(on: day).contains(category) }

    var bin: String { Self.bins[country]! }
}
