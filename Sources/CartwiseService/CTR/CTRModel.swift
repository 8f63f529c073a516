package import CartwiseModels

/// One published, immutable generation of the click model: the weights `/rank` reads, and what
/// the learner knew when it was published.
package final class CTRModel: Sendable {
    package struct Info: Sendable, Equatable {
        package var version: UInt64
        /// Milliseconds since the epoch.
        package var publishedAt: Int64
        package var examples: Int
        package var positives: Int
        /// Progressive-validation log loss: each example scored before it was learned from.
        package var logLoss: Double
        package var deciles: [CalibrationReport.Decile]
        package var nonZeroWeights: Int
        package var pendingImpressions: Int
        package var expiredAsNegative: Int
        package var lateClicks: Int
    }

    package let info: Info
    package let features: CTRFeatures
    package let weights: [Float]

    package init(info: Info, features: CTRFeatures, weights: [Float]) {
        precondition(weights.count == features.hasher.size, "one weight per coordinate")
        self.info = info
        self.features = features
        self.weights = weights
    }

    package var version: UInt64 { info.version }

    /// P(click) for an example's coordinates.
    package func probability(_ coordinates: [UInt32]) -> Double {
        FTRLProximal.sigmoid(Double(margin(coordinates)))
    }

    /// The sum of the coordinates' weights (the log-odds).
    package func margin(_ coordinates: [UInt32]) -> Float {
        var margin: Float = 0
        weights.withUnsafeBufferPointer { w in
            for index in coordinates { margin += w[Int(index)] }
        }
        return margin
    }
}
