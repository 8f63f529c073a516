import CartwiseModels
import RealModule

/// The demo's catalog: items in 12 categories, each from one of six brands of its category,
/// with a log-normal price whose tercile within the category is its price band (budget, mid,
/// premium), and a Zipf popularity in a seeded order. Grocery, beauty, pets and office items are
/// consumables: shoppers buy them again.
struct DemoCatalog {
    static let categories = [
        "electronics", "books", "home", "kitchen", "toys", "sports", "beauty", "fashion", "garden", "grocery", "pets",
        "office",
    ]
    static let brandsPerCategory = 6
    static let consumables: Set<Int> = [6, 9, 10, 11]
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
    private static let priceLevel = [4.6, 2.8, 3.5, 3.4, 3.1, 3.4, 2.9, 3.7, 3.1, 2.1, 2.7, 2.8]
    private static let syllables = [
        "Al", "Bri", "Cor", "Dun", "El", "Fen", "Gra", "Hol", "Ix", "Jun", "Kel", "Lum", "Mor", "Nov", "Or", "Pax",
        "Quin", "Ros", "Sol", "Tor", "Ul", "Vex", "Wyn", "Zel",
    ]
    private static let endings = ["a", "ex", "ion", "ora", "um", "is", "o", "ix"]

    var items: [Item] = []
    var category: [Int] = []
    /// The brand's index within its category.
    var brand: [Int] = []
    /// 0 budget, 1 mid, 2 premium: the price's tercile within the category.
    var band: [Int] = []
    var price: [Double] = []
    /// Each category's items, most popular first.
    var byCategory: [[Int]]
    /// Every item, most popular first.
    var byPopularity: [Int]
    let global: ZipfSampler
    let perCategory: [ZipfSampler]

    init(count: Int, random: inout SeededRandom) {
        let count = max(count, Self.categories.count)
        let brandNames = Self.categories.indices.map { _ in
            (0..<Self.brandsPerCategory).map { _ in
                Self.syllables[Int(random.next() % UInt64(Self.syllables.count))]
                    + Self.endings[Int(random.next() % UInt64(Self.endings.count))]
            }
        }
        // A category's brands are not equally big: the first sells most.
        let brandSampler = ZipfSampler(count: Self.brandsPerCategory, exponent: 0.8)
        byCategory = [[Int]](repeating: [], count: Self.categories.count)
        for index in 0..<count {
            let category = index % Self.categories.count
            let name = Self.categories[category]
            let brand = brandSampler.sample(&random)
            // Premium brands (the last two) cost more.
            let brandLift = brand >= Self.brandsPerCategory - 2 ? 0.4 : (brand == 0 ? -0.1 : 0)
            // Electronics spans cables to laptops.
            let spread = category == 0 ? 0.8 : 0.45
            let price = max(
                0.99,
                (Double.exp(Self.priceLevel[category] + brandLift + spread * random.normal()) * 100).rounded() / 100
            )
            var categories = [name]
            if random.unit() < 0.08 {
                categories.append(Self.categories[(category + 1 + Int(random.next() % 11)) % Self.categories.count])
            }
            let noun = Self.nouns[name]![Int(random.next() % 5)]
            let adjective = Self.adjectives[Int(random.next() % UInt64(Self.adjectives.count))]
            let brandName = brandNames[category][brand]
            items.append(
                Item(
                    id: DemoStore.sku(index),
                    title: "\(brandName) \(adjective) \(noun) \(index + 1)",
                    categories: categories,
                    price: price,
                    available: random.unit() > 0.05,
                    stock: random.poisson(40),
                    attributes: [
                        ContextField(name: "brand", value: .string(brandName)),
                        ContextField(name: "rating", value: .number((30 + 20 * random.unit()).rounded() / 10)),
                    ]
                )
            )
            self.category.append(category)
            self.brand.append(brand)
            self.price.append(price)
            byCategory[category].append(index)
        }
        var bands = [Int](repeating: 1, count: count)
        for members in byCategory {
            let prices = self.price
            let sorted = members.sorted { prices[$0] < prices[$1] }
            for (rank, item) in sorted.enumerated() { bands[item] = min(2, 3 * rank / max(1, sorted.count)) }
        }
        band = bands
        for index in items.indices {
            let name = ["budget", "mid", "premium"][bands[index]]
            items[index].attributes.append(ContextField(name: "price_band", value: .string(name)))
        }
        // Popularity: a Zipf rank for every item, in a seeded random order.
        var order = Array(0..<count)
        for index in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
        var rankOf = [Int](repeating: 0, count: count)
        for (rank, item) in order.enumerated() { rankOf[item] = rank }
        byPopularity = order
        var sortedCategories = byCategory
        for index in sortedCategories.indices { sortedCategories[index].sort { rankOf[$0] < rankOf[$1] } }
        byCategory = sortedCategories
        global = ZipfSampler(count: count, exponent: 1.05)
        perCategory = byCategory.map { ZipfSampler(count: max(1, $0.count), exponent: 0.9) }
    }

    func isConsumable(_ item: Int) -> Bool { Self.consumables.contains(category[item]) }

    /// A popular item of `category` that suits `shopper`: drawn by popularity, kept with a
    /// chance that falls with the distance from the shopper's price band and rises for a
    /// favourite brand (up to six draws).
    func pick(in category: Int, for shopper: DemoShopper, _ random: inout SeededRandom) -> Int {
        var item = byCategory[category][perCategory[category].sample(&random)]
        for _ in 0..<6 {
            let distance = abs(band[item] - shopper.band)
            var keep = distance == 0 ? 1.0 : (distance == 1 ? 0.3 : 0.08)
            if shopper.brands[category] == brand[item] { keep = min(1, keep * 2.5) } else { keep *= 0.7 }
            if random.unit() < keep { return item }
            item = byCategory[category][perCategory[category].sample(&random)]
        }
        return item
    }

    /// Any popular item.
    func popular(_ random: inout SeededRandom) -> Int { byPopularity[global.sample(&random)] }
}
