package import CartwiseModels

/// One published generation of the order-risk model: boosted trees over the feature names they
/// were trained on. Immutable; `/score-order` reads it while the trainer builds the next.
package final class RiskModel: Sendable {
    package struct Info: Sendable, Equatable {
        package var version: UInt64
        /// Milliseconds since the epoch.
        package var trainedAt: Int64
        package var orders: Int
        package var frauds: Int
        package var seconds: Double
    }

    /// One feature's push on the score, in log-odds.
    package struct Reason: Sendable, Equatable {
        package var feature: String
        package var value: Double
        package var contribution: Double
        package var description: String
    }

    package let info: Info
    package let names: [String]
    package let trees: GradientBoostedTrees
    /// Signal name (without `signals.`) → feature position.
    private let signalPositions: [String: Int]
    /// The signal names (without `signals.`) in feature order: a checkout usually sends its
    /// signals in the order the model learnt them, so the n-th signal is first tried at the n-th
    /// signal position, which costs a string comparison instead of a hash.
    private let signalNames: [String]

    package init(info: Info, names: [String], trees: GradientBoostedTrees) {
        precondition(names.count == trees.featureCount, "one name per feature")
        precondition(Array(names.prefix(RiskFeatures.derived.count)) == RiskFeatures.derived, "derived features first")
        self.info = info
        self.names = names
        self.trees = trees
        var positions: [String: Int] = [:]
        for (position, name) in names.enumerated().dropFirst(RiskFeatures.derived.count) {
            positions[String(name.dropFirst("signals.".count))] = position
        }
        signalPositions = positions
        signalNames = names.dropFirst(RiskFeatures.derived.count).map { String($0.dropFirst("signals.".count)) }
    }

    /// The model's input for an order: derived values, then its signals by name (NaN for a
    /// signal the order lacks; signals the model never saw are ignored).
    package func vector(derived: [Double], signals: [(name: String, value: Double)]) -> [Double] {
        var row = derived
        row.append(contentsOf: repeatElement(Double.nan, count: names.count - derived.count))
        for (index, signal) in signals.enumerated() {
            if index < signalNames.count && signalNames[index] == signal.name {
                row[derived.count + index] = signal.value
            } else if let position = signalPositions[signal.name] {
                row[position] = signal.value
            }
        }
        return row
    }

    /// P(fraud) and the `limit` largest contributions, largest push toward fraud first.
    package func score(_ row: [Double], limit: Int) -> (score: Double, reasons: [Reason]) {
        let (bias, contributions) = trees.contributions(row)
        let margin = contributions.reduce(bias, +)
        let top = contributions.indices
            .filter { contributions[$0] != 0 }
            .sorted {
                abs(contributions[$0]) > abs(contributions[$1])
                    || (abs(contributions[$0]) == abs(contributions[$1]) && $0 < $1)
            }
            .prefix(limit)
        let reasons = top.map { position in
            Reason(
                feature: names[position],
                value: row[position],
                contribution: contributions[position],
                description: RiskFeatures.describe(names[position], row[position])
            )
        }
        return (GradientBoostedTrees.sigmoid(margin), reasons)
    }

    /// The card `GET /models` shows for it.
    var card: ModelCard {
        ModelCard(
            family: "risk",
            version: info.version,
            trainedAt: info.trainedAt,
            trainingSeconds: info.seconds,
            data: [.init("labelled_orders", Double(info.orders)), .init("fraud_orders", Double(info.frauds))],
            quality: [],
            method: "not measured at training: docs/risk.md gives PR-AUC on the creditcard split"
        )
    }
}
