/// The rules in their fixed order: allow lists, block lists, then the score thresholds. The
/// first rule that decides wins; every rule that fired is reported.
package struct RiskDecision: Sendable, Equatable {
    package enum Outcome: String, Sendable {
        case approve, review, decline
    }

    package var outcome: Outcome
    package var riskLevel: String
    package var rules: [String]

    package static func decide(_ order: Order, score: Double, settings: RiskSettings) -> RiskDecision {
        let level = Self.level(score, settings: settings)
        if let list = settings.allow.match(order) {
            return RiskDecision(outcome: .approve, riskLevel: level, rules: ["allow_list:\(list)"])
        }
        if let list = settings.block.match(order) {
            return RiskDecision(outcome: .decline, riskLevel: level, rules: ["block_list:\(list)"])
        }
        let cut = cut(score, review: settings.reviewThreshold, decline: settings.declineThreshold)
        switch cut {
        case .decline:
            return RiskDecision(outcome: .decline, riskLevel: level, rules: ["score_at_least_decline_threshold"])
        case .review:
            return RiskDecision(outcome: .review, riskLevel: level, rules: ["score_at_least_review_threshold"])
        case .approve: return RiskDecision(outcome: .approve, riskLevel: level, rules: [])
        }
    }

    /// The outcome of the score thresholds alone (also the dry run's rule).
    package static func cut(_ score: Double, review: Double, decline: Double) -> Outcome {
        if score >= decline { return .decline }
        if score >= review { return .review }
        return .approve
    }

    static func level(_ score: Double, settings: RiskSettings) -> String {
        switch cut(score, review: settings.reviewThreshold, decline: settings.declineThreshold) {
        case .approve: return "low"
        case .review: return "elevated"
        case .decline: return "high"
        }
    }
}
