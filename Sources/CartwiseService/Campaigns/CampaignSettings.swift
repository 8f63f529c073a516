package import CartwiseModels

/// What the campaign feature needs to know (the `campaigns.*` settings).
package struct CampaignSettings: Sendable {
    /// Milliseconds between uplift trainings while exposures and outcomes keep arriving.
    package var retrainInterval: Int64 = 600_000
    /// A campaign's control share when it names none.
    package var controlShare = 0.1
    /// A campaign's attribution window when it names none.
    package var attributionDays = 14
    /// The fewest exposures per arm the uplift model trains on.
    package var minExposuresPerArm = 50
    /// The longest a budget plan's solver may search before answering its best plan.
    package var planSeconds = 20.0
    /// A plan is proved within this fraction of the best objective (by the LP bound).
    package var planRelativeGap = 1e-7
    /// The uplift learner's trees, validation share and bags.
    package var uplift = UpliftLearner.Parameters()

    package init() {}
}
