import CartwiseModels

/// Scores customers with the uplift model in service: each is encoded from their latest
/// exposure's attributes and their purchase history, exactly as the model's training rows
/// were. A customer known at training has the score computed then (as of the newest event
/// at that time); one who appeared since is scored now.
struct UpliftScorer {
    let snapshot: UpliftSnapshot
    let version: UInt64
    let ledger: CampaignLedger
    let history: (String) -> CustomerLedger.Record?
    /// The day history is read at.
    let day: Int32

    /// The response probabilities if contacted and if not, and the expected uplift.
    func score(_ customer: String) -> (treated: Double, control: Double, uplift: Double) {
        if let known = snapshot.scores[customer] {
            return (known.treated, known.control, known.treated - known.control)
        }
        return snapshot.predict(context: ledger.context(of: customer) ?? [], record: history(customer), day: day)
    }
}
