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

        package init(
            version: UInt64,
            publishedAt: Int64,
            examples: Int,
            positives: Int,
            logLoss: Double,
            deciles: [CalibrationReport.Decile],
            nonZeroWeights: Int,
            pendingImpressions: Int,
            expiredAsNegative: Int,
            lateClicks: Int
        ) {
            self.version = version
            self.publishedAt = publishedAt
            self.examples = examples
            self.positives = positives
            self.logLoss = logLoss
            self.deciles = deciles
            self.nonZeroWeights = nonZeroWeights
            self.pendingImpressions = pendingImpressions
            self.expiredAsNegative = expiredAsNegative
            self.lateClicks = lateClicks
        }
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

    /// The log-odds of a click for each item shown together to one user: the request's part
    /// (user, time, context, their crosses and the sum of their weights) is reduced once, then
    /// each item adds its own (item, catalog categories, own context, crosses that involve
    /// them). Log-odds order the items as their probabilities do, so `/rank` turns only the
    /// `k` it returns into probabilities.
    /// - Parameters:
    ///   - user: The request's user ("" for none).
    ///   - timestamp: When the items are shown (milliseconds).
    ///   - context: The request's context.
    ///   - items: The items, in request order.
    ///   - itemContexts: The tokens the entries' own contexts point into (``RankRequest/itemContexts``).
    ///   - catalog: The hashed catalog items without a context of their own are looked up in.
    /// - Returns: One log-odds per item, in request order.
    package func margins(
        user: String,
        timestamp: Int64,
        context: [ContextField],
        items: [RankRequest.Entry],
        itemContexts: CTRFeatures.Tokens = CTRFeatures.Tokens(),
        catalog: CTRCatalog
    ) -> [Double] {
        let shared = features.prepare(
            shared: CTRFeatureBuilder.shared(user: user, timestamp: timestamp, context: context)
        )
        let base = margin(shared.base)
        var own = CTRFeatures.Tokens(capacity: 8)
        var coordinates: [UInt32] = []
        var layout = CTRFeatures.OwnLayout()
        var margins: [Double] = []
        margins.reserveCapacity(items.count)
        weights.withUnsafeBufferPointer { weights in
            // A loop, not `map`: a closure captures `shared`, and each item's call then retained
            // and released its six arrays.
            for entry in items {
                let known = catalog[entry.item]
                // nil when an item field shadows a request field: then `coordinates` holds the
                // whole example, base included.
                let mine: Float?
                if entry.context.isEmpty, let known {
                    mine = known.ownMargin(features, prepared: shared, weights: weights, layout: &layout)
                    if mine == nil {
                        _ = known.coordinates(features, prepared: shared, into: &coordinates, layout: &layout)
                    }
                } else {
                    CTRFeatureBuilder.own(
                        item: entry.item,
                        categories: known?.categories ?? [],
                        contexts: itemContexts,
                        fields: entry.context,
                        into: &own
                    )
                    mine = features.ownMargin(prepared: shared, own: own, weights: weights, layout: &layout)
                    if mine == nil {
                        features.coordinates(
                            prepared: shared,
                            own: own,
                            into: &coordinates,
                            base: true,
                            layout: &layout
                        )
                    }
                }
                margins.append(Double(mine.map { $0 + base } ?? margin(coordinates)))
            }
        }
        return margins
    }

    /// The sum of the coordinates' weights (the log-odds).
    package func margin(_ coordinates: [UInt32]) -> Float {
        var margin: Float = 0
        weights.withUnsafeBufferPointer { w in
            for index in coordinates { margin += w[Int(index)] }
        }
        return margin
    }

    /// The card `GET /models` shows for it.
    func card(trainingSeconds: Double) -> ModelCard {
        ModelCard(
            family: "ctr",
            version: info.version,
            trainedAt: info.publishedAt,
            trainingSeconds: trainingSeconds,
            data: [
                .init("examples", Double(info.examples)), .init("positives", Double(info.positives)),
                .init("non_zero_weights", Double(info.nonZeroWeights)),
            ],
            quality: [.init("log_loss", info.examples > 0 ? info.logLoss : nil)],
            method: "progressive validation: each impression scored before it was learned from"
        )
    }
}
