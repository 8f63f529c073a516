import HTTPCore

/// What the recommendation trainer is doing, for `GET /models/training` and for a
/// `POST /models/train` that answers before the training ends.
package struct TrainingStatus: Sendable, Equatable {
    package enum Outcome: String, Sendable {
        case published
        case noData = "no_data"
        case failed
    }

    /// When the running training started (wall-clock milliseconds), or nil when idle.
    package var startedAt: Int64?
    /// Trainings asked for with `POST /models/train` and not finished yet.
    package var requested = 0
    package var lastOutcome: Outcome?
    package var lastFinishedAt: Int64?
    package var lastSeconds: Double?
    package var lastVersion: UInt64?
    package var lastError: String?

    package init() {}

    mutating func finish(_ outcome: Outcome, version: UInt64? = nil, error: String? = nil) {
        lastOutcome = outcome
        lastVersion = version
        lastError = error
    }

    /// The JSON body, with the model version in service.
    package func json(now: Int64, version: UInt64?) -> String {
        var fields: [String] = []
        if let startedAt {
            fields.append(#""state":"training""#)
            fields.append(#""started_at":"\#(Timestamp.format(startedAt))""#)
            fields.append(#""elapsed_s":\#(Double(now - startedAt) / 1000)"#)
        } else {
            fields.append(requested > 0 ? #""state":"queued""# : #""state":"idle""#)
        }
        fields.append(#""model_version":\#(version.map(String.init) ?? "null")"#)
        if let lastOutcome, let lastFinishedAt {
            var last = [
                #""outcome":"\#(lastOutcome.rawValue)""#, #""finished_at":"\#(Timestamp.format(lastFinishedAt))""#,
            ]
            if let lastSeconds { last.append(#""training_seconds":\#(lastSeconds)"#) }
            if let lastVersion { last.append(#""version":\#(lastVersion)"#) }
            if let lastError { last.append(#""error":"# + JSONString.quote(lastError)) }
            fields.append(#""last":{"# + last.joined(separator: ",") + "}")
        } else {
            fields.append(#""last":null"#)
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
