extension CustomerSettings {
    package static let retrainIntervalS = Setting(
        key: "customers.retrain_interval_s",
        kind: .number(1...604_800),
        defaultValue: .number(600),
        description:
            "Refit profiles, segments and the lifetime-value models this often while new purchases arrive (and at once on POST /models/customers/train)."
    )

    package static let segments = Setting(
        key: "customers.segments",
        kind: .integer(0...20),
        defaultValue: .integer(0),
        description:
            "How many segments k-means makes; 0 chooses between customers.min_segments and customers.max_segments by silhouette."
    )

    package static let minSegments = Setting(
        key: "customers.min_segments",
        kind: .integer(2...20),
        defaultValue: .integer(3),
        description: "The fewest segments the silhouette may choose."
    )

    package static let maxSegments = Setting(
        key: "customers.max_segments",
        kind: .integer(2...20),
        defaultValue: .integer(8),
        description: "The most segments the silhouette may choose."
    )

    package static let restarts = Setting(
        key: "customers.kmeans_restarts",
        kind: .integer(1...100),
        defaultValue: .integer(10),
        description: "k-means++ seedings per fit; the one with the least inertia is kept."
    )

    package static let seed = Setting(
        key: "customers.seed",
        kind: .integer(0...1_000_000_000),
        defaultValue: .integer(0),
        description: "The seed of the k-means++ seedings: the same data and seed give the same segments."
    )

    package static let horizonDays = Setting(
        key: "customers.horizon_days",
        kind: .integer(1...3_650),
        defaultValue: .integer(365),
        description:
            "The horizon of expected_purchases, expected_spend and clv when a request gives no horizon_days."
    )

    package static let monthlyDiscount = Setting(
        key: "customers.monthly_discount",
        kind: .number(0...1),
        defaultValue: .number(0.01),
        description: "The monthly discount rate of clv when a request gives no discount_rate (0.01: 1 % a month)."
    )

    /// The customer model's settings (`customers.*`), in the order `cartwise config` lists them.
    package static let catalog: [Setting] = [
        retrainIntervalS, segments, minSegments, maxSegments, restarts, seed, horizonDays, monthlyDiscount,
    ]
}
