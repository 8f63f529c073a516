/// One k-means segment as a marketer reads it: a name and a description from where its centre
/// lies, and what its members are like and worth.
package struct CustomerSegment: Sendable, Equatable {
    /// A slug of the name: stable while the segment's behaviour is.
    package var id: String
    package var name: String
    package var description: String
    package var size: Int
    package var customerShare: Double
    package var revenueShare: Double
    /// Medians of the members' RFM at the model's as-of date.
    package var medianRecencyDays: Double
    package var medianFrequency: Double
    package var medianMonetary: Double
    package var meanAlive: Double?
    package var meanValue: Double?
    /// The centre in standardised log-RFM (recency, frequency, monetary).
    package var centre: [Double]

    /// Words for where a centre lies, in standard deviations of the cohort's log-RFM, with
    /// recency also read in days: a cohort where most last bought a year ago has its middle a
    /// year ago, and "lapsing" would flatter it.
    /// - Parameters:
    ///   - centre: standardised log recency, frequency and monetary.
    ///   - medianRecencyDays: the members' median days since their last purchase.
    ///   - medianFrequency: the members' median purchase days (1: one purchase).
    /// - Returns: the name, as "recent frequent high spenders".
    package static func name(centre: [Double], medianRecencyDays: Double, medianFrequency: Double) -> String {
        let recency =
            medianRecencyDays <= 30 || centre[0] <= -0.5
            ? "recent" : medianRecencyDays > 180 || centre[0] >= 0.6 ? "lapsed" : "lapsing"
        let frequency =
            medianFrequency <= 1 ? "one-time" : centre[1] >= 0.6 ? "frequent" : "occasional"
        let spend =
            centre[2] >= 0.6 ? "high spenders" : centre[2] <= -0.6 ? "low spenders" : "buyers"
        return "\(recency) \(frequency) \(spend)"
    }

    /// The name as an id: lowercase words joined by hyphens.
    /// - Parameter name: the segment's name.
    /// - Returns: its slug.
    package static func slug(_ name: String) -> String {
        name.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: "-")
    }
}
