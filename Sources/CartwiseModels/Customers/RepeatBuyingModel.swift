/// What the customer model asks of a repeat-buying model: whether a customer is still alive and
/// how many purchases to expect. BG/NBD, MBG/NBD and Pareto/NBD answer both; the trainer keeps
/// whichever predicted a held-back stretch of the history best.
package protocol RepeatBuyingModel: Sendable {
    /// "BG/NBD", "MBG/NBD" or "Pareto/NBD".
    var name: String { get }
    /// P(alive | x, t_x, T).
    func probabilityAlive(_ customer: RepeatPurchases) -> Double
    /// E[X(T, T + t) | x, t_x, T].
    func expectedPurchases(inWeeks weeks: Double, _ customer: RepeatPurchases) -> Double
}

extension BetaGeometricNBD: RepeatBuyingModel {
    package var name: String { modified ? "MBG/NBD" : "BG/NBD" }
}
