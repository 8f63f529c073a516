import RealModule

extension GradientBoostedTrees {
    /// Trains until the log-loss on held-out rows has not improved for `patience` trees, and
    /// keeps the trees up to the best (scikit-learn's `early_stopping` with `scoring="loss"`).
    ///
    /// Where the signal is faint (a treatment effect of a few points on a 15 % response rate)
    /// the number of trees is the model's main knob: too few and it misses the effect, too many
    /// and it learns each arm's noise, which a difference of two models then doubles.
    /// - Parameters:
    ///   - columns: the training features, feature-major (NaN = missing).
    ///   - labels: the training labels.
    ///   - validationRows: the held-out rows, row-major.
    ///   - validationLabels: their labels.
    ///   - parameters: `iterations` is the most trees grown.
    ///   - patience: trees without improvement before stopping.
    /// - Returns: the model with the best held-out loss.
    package static func train(
        columns: [[Double]],
        labels: [Bool],
        validationRows: [[Double]],
        validationLabels: [Bool],
        parameters: Parameters,
        patience: Int
    ) -> GradientBoostedTrees {
        let binner = FeatureBinner(columns: columns, maxBins: parameters.maxBins)
        let binned = binner.bin(columns: columns)
        let rows = labels.count
        let baseline = baseline(labels)
        guard rows > 0, !binned.isEmpty else {
            return GradientBoostedTrees(baseline: baseline, trees: [], featureCount: binned.count)
        }
        var grower = TreeGrower(binned: binned, binner: binner, parameters: parameters)
        var raw = [Double](repeating: baseline, count: rows)
        var validationRaw = [Double](repeating: baseline, count: validationRows.count)
        var trees: [DecisionTree] = []
        var bestLoss = logLoss(validationRaw, validationLabels)
        var bestCount = 0
        for _ in 0..<parameters.iterations {
            grower.setGradients(raw: raw, labels: labels)
            let tree = grower.grow(updating: &raw)
            trees.append(tree)
            for (index, row) in validationRows.enumerated() {
                validationRaw[index] += row.withUnsafeBufferPointer { tree.predict($0) }
            }
            let loss = logLoss(validationRaw, validationLabels)
            if loss < bestLoss - 1e-7 * abs(bestLoss) {
                bestLoss = loss
                bestCount = trees.count
            } else if trees.count - bestCount >= patience {
                break
            }
        }
        return GradientBoostedTrees(
            baseline: baseline,
            trees: Array(trees.prefix(bestCount)),
            featureCount: binned.count
        )
    }

    /// The mean negative log-likelihood of labels under margins.
    static func logLoss(_ margins: [Double], _ labels: [Bool]) -> Double {
        guard !margins.isEmpty else { return 0 }
        var total = 0.0
        for (margin, label) in zip(margins, labels) {
            // log(1 + e^−m) for a positive, log(1 + e^m) for a negative, computed stably.
            let signed = label ? -margin : margin
            total += signed > 0 ? signed + Double.log(1 + Double.exp(-signed)) : Double.log(1 + Double.exp(signed))
        }
        return total / Double(margins.count)
    }
}
