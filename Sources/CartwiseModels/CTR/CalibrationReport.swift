import RealModule

/// Progressive validation of an online model: every example is scored before it is learned
/// from, so the running log loss is an honest out-of-sample figure without a held-out set.
///
/// Keeps totals over all examples and the latest `window` (prediction, label) pairs for the
/// calibration table (mean predicted vs observed rate per decile of prediction).
package struct CalibrationReport: Sendable, Equatable {
    package struct Decile: Sendable, Equatable {
        package var count: Int
        package var meanPredicted: Double
        package var observedRate: Double
    }

    package private(set) var examples = 0
    package private(set) var positives = 0
    package private(set) var logLossSum = 0.0
    private var recent: [Float]
    private var recentLabels: [Bool]
    private var next = 0
    package let window: Int

    package init(window: Int = 100_000) {
        self.window = max(1, window)
        recent = []
        recentLabels = []
    }

    package mutating func record(predicted: Double, clicked: Bool) {
        let p = min(1 - 1e-15, max(1e-15, predicted))
        logLossSum -= clicked ? Double.log(p) : Double.log(1 - p)
        examples += 1
        if clicked { positives += 1 }
        if recent.count < window {
            recent.append(Float(predicted))
            recentLabels.append(clicked)
        } else {
            recent[next] = Float(predicted)
            recentLabels[next] = clicked
            next = (next + 1) % window
        }
    }

    /// Mean log loss of the predictions made before each update.
    package var logLoss: Double { examples == 0 ? 0 : logLossSum / Double(examples) }

    /// Ten groups of equal size by predicted probability, lowest first, over the recent window.
    package var deciles: [Decile] {
        guard !recent.isEmpty else { return [] }
        let order = recent.indices.sorted { recent[$0] < recent[$1] }
        var result: [Decile] = []
        for decile in 0..<10 {
            let lower = order.count * decile / 10
            let upper = order.count * (decile + 1) / 10
            guard upper > lower else { continue }
            var predicted = 0.0
            var clicks = 0
            for position in lower..<upper {
                predicted += Double(recent[order[position]])
                if recentLabels[order[position]] { clicks += 1 }
            }
            let count = upper - lower
            result.append(
                Decile(
                    count: count,
                    meanPredicted: predicted / Double(count),
                    observedRate: Double(clicks) / Double(count)
                )
            )
        }
        return result
    }
}
