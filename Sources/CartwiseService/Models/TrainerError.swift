/// Why a training or a rollback did not produce a model; `/models` answers it with 409.
package enum TrainerError: Error, CustomStringConvertible {
    /// Recommendations: no event with a positive weight yet.
    case noData
    /// The click model has not seen a labelled impression yet.
    case nothingLearned
    /// Order risk: too few labelled orders, or too few frauds among them.
    case tooFewLabels(labelled: Int, frauds: Int, neededLabels: Int, neededFrauds: Int)
    case noPreviousVersion
    /// Customers: nobody has bought anything yet.
    case noPurchases
    /// Uplift: too few exposures with a closed attribution window (the reason says how many).
    case tooFewExposures(String)
    /// The service stopped during the training; its model was discarded.
    case stopped

    package var description: String {
        switch self {
        case .noData: return "there are no events with a positive weight to train on"
        case .nothingLearned: return "the click model has not seen a labelled impression yet"
        case .tooFewLabels(let labelled, let frauds, let neededLabels, let neededFrauds):
            return "there are \(labelled) labelled orders with \(frauds) frauds; training needs \(neededLabels) and "
                + "\(neededFrauds) (risk.min_labels, risk.min_fraud_labels)"
        case .noPurchases:
            return "no shopper has a purchase yet: send purchase events or import orders with a user"
        case .tooFewExposures(let reason):
            return reason + " (send exposure events for past campaigns; campaigns.min_exposures_per_arm)"
        case .stopped: return "the service is stopping; the training was abandoned"
        case .noPreviousVersion:
            return "there is no older version to roll back to (recommendations keep theirs on disk, the other "
                + "families the last few in memory)"
        }
    }
}
