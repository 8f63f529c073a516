/// A rule a risk team writes over the API (`PUT /risk/rules`): when its condition holds, the
/// order gets its action before the model's score is looked at. Rules are tried in order and the
/// first that holds decides (a `review` rule never lowers a score above the decline threshold);
/// every rule that holds is reported.
package struct RiskRule: Sendable, Equatable {
    package var id: String
    /// The condition as written; ``condition`` is what it parsed to.
    package var when: String
    package var condition: RuleExpression
    package var action: RiskDecision.Outcome
    package var description: String

    package init(
        id: String,
        when: String,
        action: RiskDecision.Outcome,
        description: String
    ) throws(RuleExpression.ParseError) {
        self.id = id
        self.when = when
        self.condition = try RuleExpression.parse(when)
        self.action = action
        self.description = description
    }

    package static let maxRules = 100
    /// Characters of a description or a list entry's reason.
    package static let maxDescriptionLength = 256

    /// What a new data directory starts with: the velocity patterns every risk team blocks on
    /// day one, before the model has labels. `PUT /risk/rules` replaces them.
    package static let defaults: [RiskRule] = {
        do {
            return [
                try RiskRule(
                    id: "card_testing",
                    when: "card_orders_1h >= 3",
                    action: .decline,
                    description: "a fourth order on one card within an hour: card testing"
                ),
                try RiskRule(
                    id: "shared_card_or_drop_address",
                    when: "card_accounts_24h >= 2 or address_accounts_24h >= 3",
                    action: .review,
                    description: "a card used by three accounts, or an address shipped to by four, within a day"
                ),
            ]
        } catch {
            preconditionFailure("the default rules parse: \(error)")
        }
    }()

    /// An id a person can type and a metric label can hold.
    package static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D
            }
    }
}
