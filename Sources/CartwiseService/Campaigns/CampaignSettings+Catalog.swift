extension CampaignSettings {
    package static let retrainIntervalS = Setting(
        key: "campaigns.retrain_interval_s",
        kind: .number(1...604_800),
        defaultValue: .number(600),
        description:
            "Retrain the uplift model this often while exposures and outcomes arrive (and at once on POST /models/uplift/train)."
    )

    package static let controlShare = Setting(
        key: "campaigns.control_share",
        kind: .number(0...0.9),
        defaultValue: .number(0.1),
        description: "The share of a campaign's audience held out as control when the campaign names none."
    )

    package static let attributionDays = Setting(
        key: "campaigns.attribution_days",
        kind: .integer(1...365),
        defaultValue: .integer(14),
        description:
            "Days after an exposure in which a visit or purchase counts as its response, when the campaign names none."
    )

    package static let minExposuresPerArm = Setting(
        key: "campaigns.min_exposures_per_arm",
        kind: .integer(10...1_000_000),
        defaultValue: .integer(50),
        description: "The fewest treated and control exposures with a closed window the uplift model trains on."
    )

    package static let planSeconds = Setting(
        key: "campaigns.plan_seconds",
        kind: .number(0.1...600),
        defaultValue: .number(20),
        description:
            "The longest POST /campaigns/plan lets the MIP solver search before answering the best plan it found."
    )

    package static let upliftMaxLeafNodes = Setting(
        key: "campaigns.uplift_max_leaf_nodes",
        kind: .integer(2...255),
        defaultValue: .integer(3),
        description:
            "Leaves per tree of the uplift model's two arm models; few, since an effect of a few points is easily lost in each arm's noise."
    )

    package static let upliftLearningRate = Setting(
        key: "campaigns.uplift_learning_rate",
        kind: .number(0.001...1),
        defaultValue: .number(0.05),
        description: "Shrinkage of each tree of the uplift model's arm models."
    )

    package static let upliftMinSamplesLeaf = Setting(
        key: "campaigns.uplift_min_samples_leaf",
        kind: .integer(1...100_000),
        defaultValue: .integer(20),
        description: "The fewest exposures in a leaf of the uplift model's trees."
    )

    package static let planRelativeGap = Setting(
        key: "campaigns.plan_relative_gap",
        kind: .number(0...0.1),
        defaultValue: .number(1e-7),
        description:
            "POST /campaigns/plan stops once its plan is proved within this fraction of the best possible expected profit (0: proved optimal, slower on large plans)."
    )

    package static let upliftLearner = Setting(
        key: "campaigns.uplift_learner",
        kind: .text(choices: ["interaction", "two_model"]),
        defaultValue: .text("interaction"),
        description:
            "interaction: one model on x, a treated-only copy of x and the treatment flag; two_model: one model per arm (T-learner). docs/campaigns.md compares them."
    )

    package static let upliftBags = Setting(
        key: "campaigns.uplift_bags",
        kind: .integer(1...100),
        defaultValue: .integer(32),
        description: "Uplift fits averaged, each early-stopped on a different held-out fifth of the exposures."
    )

    /// The campaign feature's settings (`campaigns.*`), in the order `cartwise config` lists them.
    package static let catalog: [Setting] = [
        retrainIntervalS, controlShare, attributionDays, minExposuresPerArm, planSeconds, planRelativeGap,
        upliftLearner,
        upliftMaxLeafNodes, upliftLearningRate, upliftMinSamplesLeaf, upliftBags,
    ]
}
