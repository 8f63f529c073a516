package import CartwiseModels

/// What the trainer needs to know.
package struct RecommendSettings: Sendable {
    package var als = ImplicitALS()
    /// Worker threads for the ALS half-steps.
    package var threads = 2
    /// Retrain at least this often (seconds) when there are new events.
    package var interval: Double = 300
    /// Retrain as soon as this many events arrived since the last training.
    package var minNewEvents = 10_000
    /// Snapshot files kept on disk.
    package var keep = 5
    /// Users whose latest item is held back to measure recall@10.
    package var holdoutUsers = 1000
    /// Choose alpha by held-out recall@10 among ``alphaGrid`` (at the first training, then at most
    /// every ``tuneInterval`` seconds); otherwise keep `als.alpha`.
    package var autoTune = true
    package var alphaGrid: [Float] = [1, 2, 5, 10, 40]
    package var tuneInterval: Double = 86_400
    /// Candidates ranked per user at training time (0: every request scores all items).
    package var candidates = 50

    package init() {}
}

extension RecommendSettings {
    package static let alsFactors = Setting(
        key: "als.factors",
        kind: .integer(1...512),
        defaultValue: .integer(64),
        description: "Latent factors per user and item."
    )

    package static let alsRegularization = Setting(
        key: "als.regularization",
        kind: .number(0...100_000),
        defaultValue: .number(ALSDefaults.regularization),
        description: "L2 regularization (lambda) of the ALS objective."
    )

    package static let alsAlpha = Setting(
        key: "als.alpha",
        kind: .number(0...100_000),
        defaultValue: .number(ALSDefaults.alpha),
        description: "Confidence scale: c = 1 + alpha x weight (the starting value when als.auto_tune is on)."
    )

    package static let alsAutoTune = Setting(
        key: "als.auto_tune",
        kind: .boolean,
        defaultValue: .boolean(true),
        description:
            "Choose alpha among 1, 2, 5, 10 and 40 by recall@10 on the held-back slice (trainer.holdout_users), at the first training and then every als.tune_interval_s; the served model is then trained on all data."
    )

    package static let alsTuneIntervalS = Setting(
        key: "als.tune_interval_s",
        kind: .number(0...31_536_000),
        defaultValue: .number(86400),
        description: "Seconds between two alpha tunings (each costs one training per candidate)."
    )

    package static let alsIterations = Setting(
        key: "als.iterations",
        kind: .integer(1...500),
        defaultValue: .integer(15),
        description: "ALS iterations (each solves users, then items)."
    )

    package static let alsCgSteps = Setting(
        key: "als.cg_steps",
        kind: .integer(1...100),
        defaultValue: .integer(3),
        description: "Conjugate-gradient steps per row and half-step."
    )

    package static let alsThreads = Setting(
        key: "als.threads",
        kind: .integer(0...256),
        defaultValue: .integer(0),
        description: "Worker threads for training; 0 means one per CPU core."
    )

    package static let trainerIntervalS = Setting(
        key: "trainer.interval_s",
        kind: .number(1...604_800),
        defaultValue: .number(300),
        description: "Retrain at least this often (seconds) when new events arrived."
    )

    package static let trainerMinNewEvents = Setting(
        key: "trainer.min_new_events",
        kind: .integer(1...1_000_000_000),
        defaultValue: .integer(10000),
        description: "Retrain as soon as this many events arrived since the last training."
    )

    package static let trainerSnapshotsKept = Setting(
        key: "trainer.snapshots_kept",
        kind: .integer(1...1000),
        defaultValue: .integer(5),
        description: "Model snapshot files kept in data/snapshots (for rollback)."
    )

    package static let trainerHoldoutUsers = Setting(
        key: "trainer.holdout_users",
        kind: .integer(0...1_000_000),
        defaultValue: .integer(1000),
        description: "Users whose latest item is held out of training to measure recall@10 (GET /models)."
    )

    package static let recommendCachedCandidates = Setting(
        key: "recommend.cached_candidates",
        kind: .integer(0...1000),
        defaultValue: .integer(50),
        description:
            "Best unseen items ranked per user at each training; a known user's /recommend reads them instead of scoring every item, unless the filters leave fewer than offset + k. 0 turns the cache off."
    )

    package static let recommendPopularHalfLifeDays = Setting(
        key: "recommend.popular_half_life_days",
        kind: .number(0.01...36500),
        defaultValue: .number(7),
        description: "Half-life of the time decay of popularity (the answer for unknown users)."
    )

    /// The recommendation family's settings (`als.*`, `trainer.*`, `recommend.*`), in the order `cartwise config` lists them.
    package static let catalog: [Setting] = [
        alsFactors, alsRegularization, alsAlpha, alsAutoTune, alsTuneIntervalS, alsIterations, alsCgSteps, alsThreads,
        trainerIntervalS, trainerMinNewEvents, trainerSnapshotsKept, trainerHoldoutUsers, recommendCachedCandidates,
        recommendPopularHalfLifeDays,
    ]
}
