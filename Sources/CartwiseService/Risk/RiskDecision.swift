/// The rules in their fixed order: allow lists (the configured ones, then the API's), block
/// lists (likewise), the risk team's rules (``RiskRule``: the first that holds decides, and a
/// `review` rule never lowers a score above the decline threshold), then the score thresholds.
/// Every rule that fired is reported.
package struct RiskDecision: Sendable, Equatable {
    package enum Outcome: String, Sendable {
        case approve, review, decline
    }

    package var outcome: Outcome
    package var riskLevel: String
    package var rules: [String]

    /// - Parameters:
    ///   - order: the order.
    ///   - keys: its hashed keys (the lists hold personal values as the same hashes).
    ///   - value: a feature's value by name (NaN when missing), for the rules.
    ///   - score: the model's (or the rule score's) probability of fraud.
    ///   - settings: the thresholds and the configured lists.
    ///   - policy: the rules and lists kept over the API.
    /// - Returns: the outcome, the risk level and every rule that fired.
    package static func decide(
        _ order: Order,
        keys: OrderHistory.Keys,
        value: (String) -> Double,
        score: Double,
        settings: RiskSettings,
        policy: RiskPolicy
    ) -> RiskDecision {
        let level = Self.level(score, settings: settings)
        if let list = settings.allow.match(order) {
            return RiskDecision(outcome: .approve, riskLevel: level, rules: ["allow_list:\(list)"])
        }
        if let entry = policy.match(.allow, order, keys: keys) {
            return RiskDecision(outcome: .approve, riskLevel: level, rules: ["allow_list:\(entry.kind.rawValue)"])
        }
        if let list = settings.block.match(order) {
            return RiskDecision(outcome: .decline, riskLevel: level, rules: ["block_list:\(list)"])
        }
        if let entry = policy.match(.block, order, keys: keys) {
            return RiskDecision(outcome: .decline, riskLevel: level, rules: ["block_list:\(entry.kind.rawValue)"])
        }
        var fired: [String] = []
        var ruled: Outcome?
        for rule in policy.rules where rule.condition.holds(value) {
            fired.append("rule:" + rule.id)
            if ruled == nil { ruled = rule.action }
        }
        let cut = cut(score, review: settings.reviewThreshold, decline: settings.declineThreshold)
        switch cut {
        case .decline: fired.append("score_at_least_decline_threshold")
        case .review: fired.append("score_at_least_review_threshold")
        case .approve: break
        }
        let outcome: Outcome
        switch ruled {
        case .decline?: outcome = .decline
        case .approve?: outcome = .approve
        case .review?: outcome = cut == .decline ? .decline : .review
        case nil: outcome = cut
        }
        return RiskDecision(outcome: outcome, riskLevel: level, rules: fired)
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
