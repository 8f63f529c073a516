import HTTPCore

/// What `GET /models` says of one published model version, the same for every family: when it
/// was trained, from how much data, and how good it measured.
package struct ModelCard: Sendable, Equatable {
    package var family: String
    package var version: UInt64
    /// Milliseconds since the epoch.
    package var trainedAt: Int64
    package var trainingSeconds: Double
    /// Counts of what it learned from: users, items, orders, series, examples.
    package var data: [Figure]
    /// Its quality figures (held-out precision, log loss, PR-AUC, backtest MASE); nil values are
    /// figures the data could not yet give.
    package var quality: [Figure]
    /// How the quality was measured, in a phrase.
    package var method: String

    package struct Figure: Sendable, Equatable {
        package var name: String
        package var value: Double?

        package init(_ name: String, _ value: Double?) {
            self.name = name
            self.value = value
        }
    }

    package init(
        family: String,
        version: UInt64,
        trainedAt: Int64,
        trainingSeconds: Double,
        data: [Figure],
        quality: [Figure],
        method: String
    ) {
        self.family = family
        self.version = version
        self.trainedAt = trainedAt
        self.trainingSeconds = trainingSeconds
        self.data = data
        self.quality = quality
        self.method = method
    }

    /// The card as a JSON object, with the versions a rollback can reach and whether a rollback
    /// holds this one against automatic trainings.
    package func json(versions: [UInt64], held: Bool) -> String {
        func object(_ figures: [Figure]) -> String {
            "{" + figures.map { JSONString.quote($0.name) + ":" + JSONWriter.number($0.value) }.joined(separator: ",")
                + "}"
        }
        return "{\"family\":" + JSONString.quote(family) + ",\"version\":\(version),\"trained_at\":\""
            + Timestamp.format(trainedAt) + "\",\"training_seconds\":" + JSONWriter.number(trainingSeconds, places: 3)
            + ",\"data\":" + object(data) + ",\"quality\":" + object(quality) + ",\"method\":"
            + JSONString.quote(method) + ",\"versions\":[" + versions.map(String.init).joined(separator: ",")
            + "],\"held\":\(held)}"
    }
}
