extension RiskSettings {
    package static let reviewThreshold = Setting(
        key: "risk.review_threshold",
        kind: .number(0...1),
        defaultValue: .number(0.3),
        description: "Orders scoring at least this are sent to manual review (risk_level elevated)."
    )

    package static let declineThreshold = Setting(
        key: "risk.decline_threshold",
        kind: .number(0...1),
        defaultValue: .number(0.8),
        description: "Orders scoring at least this are declined (risk_level high)."
    )

    package static let minLabels = Setting(
        key: "risk.min_labels",
        kind: .integer(1...100_000_000),
        defaultValue: .integer(200),
        description:
            "Labelled orders needed before the trees replace the documented rule score."
    )

    package static let minFraudLabels = Setting(
        key: "risk.min_fraud_labels",
        kind: .integer(1...100_000_000),
        defaultValue: .integer(20),
        description: "Orders labelled fraud needed before the trees replace the documented rule score."
    )

    package static let retrainIntervalS = Setting(
        key: "risk.retrain_interval_s",
        kind: .number(0...86_400),
        defaultValue: .number(60),
        description: "Retrain the risk trees at most this often when new labels or orders arrived."
    )

    package static let iterations = Setting(
        key: "risk.iterations",
        kind: .integer(1...10_000),
        defaultValue: .integer(100),
        description: "Boosting iterations (trees) of the risk model."
    )

    package static let learningRate = Setting(
        key: "risk.learning_rate",
        kind: .number(0.001...1),
        defaultValue: .number(0.1),
        description: "Shrinkage of each tree's leaf values."
    )

    package static let maxLeafNodes = Setting(
        key: "risk.max_leaf_nodes",
        kind: .integer(2...1024),
        defaultValue: .integer(31),
        description: "Leaves per tree (trees grow best-first)."
    )

    package static let minSamplesLeaf = Setting(
        key: "risk.min_samples_leaf",
        kind: .integer(1...100_000),
        defaultValue: .integer(20),
        description: "Orders needed in each leaf."
    )

    package static let l2 = Setting(
        key: "risk.l2",
        kind: .number(0...1000),
        defaultValue: .number(1),
        description:
            "L2 regularization of leaf values; needed on rare-fraud data, where unregularized leaves diverge."
    )

    package static let reasons = Setting(
        key: "risk.reasons",
        kind: .integer(1...30),
        defaultValue: .integer(5),
        description: "Contributions listed as reasons in each /score-order answer."
    )

    package static let recentOrders = Setting(
        key: "risk.recent_orders",
        kind: .integer(100...10_000_000),
        defaultValue: .integer(100_000),
        description: "Scored orders kept in memory for GET /score-order/thresholds."
    )

    package static let maxOrders = Setting(
        key: "risk.max_orders",
        kind: .integer(1_000...1_000_000_000),
        defaultValue: .integer(2_000_000),
        description:
            "Orders the risk model's training set keeps in memory (about 400 bytes each); beyond it the oldest leave "
            + "(labelled ones last) and stay only in data/audit/."
    )

    package static let highRiskCategories = Setting(
        key: "risk.high_risk_categories",
        kind: .text(choices: nil),
        defaultValue: .text("gift-cards,electronics"),
        description: "Comma-separated catalog categories whose share of the basket is the high_risk_share feature."
    )

    package static let allowUsers = Setting(
        key: "risk.allow_users",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description: "Comma-separated user ids always approved (checked before block lists and scores)."
    )

    package static let allowEmails = Setting(
        key: "risk.allow_emails",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description: "Comma-separated emails always approved."
    )

    package static let allowIps = Setting(
        key: "risk.allow_ips",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description: "Comma-separated IP addresses always approved."
    )

    package static let allowCards = Setting(
        key: "risk.allow_cards",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description: "Comma-separated card fingerprints always approved."
    )

    package static let blockUsers = Setting(
        key: "risk.block_users",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description: "Comma-separated user ids always declined (after the allow lists)."
    )

    package static let blockEmails = Setting(
        key: "risk.block_emails",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description: "Comma-separated emails always declined."
    )

    package static let blockIps = Setting(
        key: "risk.block_ips",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description: "Comma-separated IP addresses always declined."
    )

    package static let blockCards = Setting(
        key: "risk.block_cards",
        kind: .text(choices: nil),
        defaultValue: .text(""),
        description: "Comma-separated card fingerprints always declined."
    )

    /// Order risk's settings (`risk.*`), in the order `cartwise config` lists them.
    package static let catalog: [Setting] = [
        reviewThreshold, declineThreshold, minLabels, minFraudLabels, retrainIntervalS, iterations, learningRate,
        maxLeafNodes, minSamplesLeaf, l2, reasons, recentOrders, maxOrders, highRiskCategories, allowUsers, allowEmails,
        allowIps, allowCards, blockUsers, blockEmails, blockIps, blockCards,
    ]
}
