import RealModule

/// The documented score used until the trees have enough labels (`risk.min_labels` orders and
/// `risk.min_fraud_labels` frauds): a logistic of points for the patterns card-fraud teams check
/// first. Each rule that applies is also a reason. See docs/risk.md for the table.
package enum RuleScore {
    package struct Rule: Sendable {
        package var feature: String
        package var points: Double
        package var applies: @Sendable (Double) -> Bool
    }

    /// Log-odds with no rule applying: about 2 % fraud.
    package static let intercept = -4.0

    package static let rules: [Rule] = [
        Rule(feature: "card_orders_1h", points: 1.5) { $0 >= 3 },
        Rule(feature: "email_orders_1h", points: 1.0) { $0 >= 3 },
        Rule(feature: "ip_orders_1h", points: 1.0) { $0 >= 5 },
        Rule(feature: "user_orders_24h", points: 0.5) { $0 >= 10 },
        Rule(feature: "country_mismatch", points: 1.0) { $0 > 0 },
        Rule(feature: "card_first_use", points: 0.7) { $0 > 0 },
        Rule(feature: "account_age_days", points: 1.2) { $0 < 1 },
        Rule(feature: "amount_to_user_mean", points: 1.0) { $0 > 3 },
        Rule(feature: "high_risk_share", points: 1.0) { $0 >= 0.5 },
        Rule(feature: "hour_of_day", points: 0.5) { $0 < 6 },
        Rule(feature: "amount", points: 0.8) { $0 >= 1000 },
    ]

    /// P(fraud) and the rules that applied, as reasons (largest points first).
    package static func score(derived: [Double]) -> (score: Double, reasons: [RiskModel.Reason]) {
        var margin = intercept
        var reasons: [RiskModel.Reason] = []
        for rule in rules {
            guard let position = RiskFeatures.derived.firstIndex(of: rule.feature) else { continue }
            let value = derived[position]
            guard !value.isNaN, rule.applies(value) else { continue }
            margin += rule.points
            reasons.append(
                RiskModel.Reason(
                    feature: rule.feature,
                    value: value,
                    contribution: rule.points,
                    description: RiskFeatures.describe(rule.feature, value)
                )
            )
        }
        reasons.sort { $0.contribution > $1.contribution }
        return (1 / (1 + Double.exp(-margin)), reasons)
    }
}
