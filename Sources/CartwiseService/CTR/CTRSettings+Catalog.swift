extension CTRSettings {
    package static let bits = Setting(
        key: "ctr.bits",
        kind: .integer(10...28),
        defaultValue: .integer(22),
        description:
            "log2 of the CTR model's hashed feature space (2^22 = 4,194,304 weights: 64 MB of learner state plus 16 MB per published model)."
    )

    package static let crosses = Setting(
        key: "ctr.crosses",
        kind: .crosses,
        defaultValue: .text("user*category,item*position,item*device"),
        description:
            "Feature crosses of the CTR model, comma-separated field*field pairs. Fields: user, item, category, hour, weekday and any context field name."
    )

    package static let alpha = Setting(
        key: "ctr.alpha",
        kind: .number(0.000001...100),
        defaultValue: .number(0.1),
        description:
            "FTRL-Proximal learning-rate scale (alpha): the rate of a coordinate is alpha / (beta + sqrt(sum of its squared gradients))."
    )

    package static let beta = Setting(
        key: "ctr.beta",
        kind: .number(0...100),
        defaultValue: .number(1),
        description: "FTRL-Proximal beta: smooths the learning rate of a coordinate's first updates."
    )

    package static let l1 = Setting(
        key: "ctr.l1",
        kind: .number(0...1000),
        defaultValue: .number(0.1),
        description: "FTRL-Proximal L1 strength: coordinates whose evidence stays below it keep weight 0."
    )

    package static let l2 = Setting(
        key: "ctr.l2",
        kind: .number(0...1000),
        defaultValue: .number(1),
        description: "FTRL-Proximal L2 strength."
    )

    package static let labelWindowS = Setting(
        key: "ctr.label_window_s",
        kind: .number(1...604_800),
        defaultValue: .number(1800),
        description:
            "An impression with no click (and no clicked flag) this many seconds after it was shown is learned as a negative."
    )

    package static let publishIntervalMs = Setting(
        key: "ctr.publish_interval_ms",
        kind: .integer(10...3_600_000),
        defaultValue: .integer(1000),
        description:
            "Publish the updated CTR model at most this often, and at most this long after its last update."
    )

    /// The click model's settings (`ctr.*`), in the order `cartwise config` lists them.
    package static let catalog: [Setting] = [
        bits, crosses, alpha, beta, l1, l2, labelWindowS, publishIntervalMs,
    ]
}
