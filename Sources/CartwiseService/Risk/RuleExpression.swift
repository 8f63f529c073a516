/// The condition of a risk rule, as a risk analyst writes it:
/// `card_orders_1h >= 3 and country_mismatch == 1`, `amount > 5000 or (account_age_days < 0.01
/// and not card_first_use == 0)`, `signals.device_score > 0.9`, `account_age_days is missing`.
///
/// Names are the features of ``RiskFeatures/derived`` and `signals.NAME`; numbers are decimals;
/// `and` binds tighter than `or`; `not` negates. A missing value (NaN: an input the order did not
/// have) makes every comparison on it false, so `x < 1` and `not x >= 1` differ exactly there;
/// `is missing` and `is present` ask for it directly.
package indirect enum RuleExpression: Sendable, Equatable {
    package enum Comparison: String, Sendable, CaseIterable {
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case equal = "=="
        case notEqual = "!="
    }

    case compare(feature: String, Comparison, Double)
    case missing(feature: String)
    case not(RuleExpression)
    case and(RuleExpression, RuleExpression)
    case or(RuleExpression, RuleExpression)

    /// Why a condition does not parse, and where (a 1-based character position).
    package struct ParseError: Error, Equatable, CustomStringConvertible {
        package var position: Int
        package var reason: String

        package var description: String { "\(reason) at character \(position)" }
    }

    /// Conditions longer than this are refused: a rule is read by people.
    package static let maxLength = 1000

    /// - Throws: ``ParseError`` naming what was expected and where.
    package static func parse(_ text: String) throws(ParseError) -> RuleExpression {
        guard TextLength.fits(text, atMost: maxLength) else {
            throw ParseError(position: maxLength, reason: "a condition is at most \(maxLength) characters")
        }
        var parser = Parser(tokens: try tokenize(text), end: text.count + 1)
        let expression = try parser.expression(depth: 0)
        if let extra = parser.peek {
            throw ParseError(position: extra.position, reason: "unexpected '\(extra.text)' after a complete condition")
        }
        return expression
    }

    /// Whether the order's values satisfy the condition.
    /// - Parameter value: a feature's value by name (NaN when missing).
    /// - Returns: true when the condition holds.
    package func holds(_ value: (String) -> Double) -> Bool {
        switch self {
        case .compare(let feature, let comparison, let number):
            let x = value(feature)
            guard !x.isNaN else { return false }
            switch comparison {
            case .less: return x < number
            case .lessOrEqual: return x <= number
            case .greater: return x > number
            case .greaterOrEqual: return x >= number
            case .equal: return x == number
            case .notEqual: return x != number
            }
        case .missing(let feature): return value(feature).isNaN
        case .not(let inner): return !inner.holds(value)
        case .and(let left, let right): return left.holds(value) && right.holds(value)
        case .or(let left, let right): return left.holds(value) || right.holds(value)
        }
    }

    /// The features the condition reads.
    package var features: Set<String> {
        switch self {
        case .compare(let feature, _, _), .missing(let feature): return [feature]
        case .not(let inner): return inner.features
        case .and(let left, let right), .or(let left, let right): return left.features.union(right.features)
        }
    }

    // MARK: - Parsing

    private struct Token {
        enum Kind { case name, number, symbol }
        var kind: Kind
        var text: String
        var position: Int
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == ".")
    }

    private static func tokenize(_ text: String) throws(ParseError) -> [Token] {
        var tokens: [Token] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let position = index + 1
            if character.isWhitespace {
                index += 1
            } else if character == "(" || character == ")" {
                tokens.append(Token(kind: .symbol, text: String(character), position: position))
                index += 1
            } else if "<>=!".contains(character) {
                var symbol = String(character)
                if index + 1 < characters.count, characters[index + 1] == "=" { symbol.append("=") }
                guard Comparison(rawValue: symbol) != nil else {
                    throw ParseError(
                        position: position,
                        reason: "'\(symbol)' is not a comparison (<, <=, >, >=, ==, !=)"
                    )
                }
                tokens.append(Token(kind: .symbol, text: symbol, position: position))
                index += symbol.count
            } else if character.isNumber || character == "-"
                || (character == "." && index + 1 < characters.count
                    && characters[index + 1].isNumber)
            {
                var end = index + 1
                while end < characters.count,
                    characters[end].isNumber || characters[end] == "." || characters[end] == "e"
                        || characters[end] == "E"
                        || ((characters[end] == "-" || characters[end] == "+")
                            && (characters[end - 1] == "e" || characters[end - 1] == "E"))
                {
                    end += 1
                }
                tokens.append(Token(kind: .number, text: String(characters[index..<end]), position: position))
                index = end
            } else if isNameCharacter(character) {
                var end = index + 1
                while end < characters.count, isNameCharacter(characters[end]) { end += 1 }
                tokens.append(Token(kind: .name, text: String(characters[index..<end]), position: position))
                index = end
            } else {
                throw ParseError(position: position, reason: "unexpected character '\(character)'")
            }
        }
        return tokens
    }

    private struct Parser {
        var tokens: [Token]
        var index = 0
        /// The position reported for "the condition ended too soon".
        var end: Int

        init(tokens: [Token], end: Int) {
            self.tokens = tokens
            self.end = end
        }

        var peek: Token? { index < tokens.count ? tokens[index] : nil }

        mutating func take() -> Token? {
            defer { index += 1 }
            return peek
        }

        func isKeyword(_ word: String) -> Bool { peek.map { $0.kind == .name && $0.text == word } ?? false }

        /// Nesting is bounded: a condition is a few comparisons, never a stack overflow.
        mutating func expression(depth: Int) throws(ParseError) -> RuleExpression {
            guard depth < 32 else { throw ParseError(position: peek?.position ?? end, reason: "nested too deeply") }
            var left = try conjunction(depth: depth)
            while isKeyword("or") {
                index += 1
                left = .or(left, try conjunction(depth: depth))
            }
            return left
        }

        mutating func conjunction(depth: Int) throws(ParseError) -> RuleExpression {
            var left = try negation(depth: depth)
            while isKeyword("and") {
                index += 1
                left = .and(left, try negation(depth: depth))
            }
            return left
        }

        mutating func negation(depth: Int) throws(ParseError) -> RuleExpression {
            if isKeyword("not") {
                index += 1
                return .not(try negation(depth: depth + 1))
            }
            return try primary(depth: depth)
        }

        mutating func primary(depth: Int) throws(ParseError) -> RuleExpression {
            guard let token = take() else {
                throw ParseError(position: end, reason: "the condition ends where a feature name or '(' was expected")
            }
            if token.kind == .symbol && token.text == "(" {
                let inner = try expression(depth: depth + 1)
                guard let close = take(), close.text == ")" else {
                    throw ParseError(position: tokens.last.map { $0.position } ?? end, reason: "'(' is not closed")
                }
                return inner
            }
            guard token.kind == .name, !["and", "or", "not", "is"].contains(token.text) else {
                throw ParseError(position: token.position, reason: "expected a feature name, found '\(token.text)'")
            }
            let feature = token.text
            guard RuleExpression.isFeature(feature) else {
                throw ParseError(
                    position: token.position,
                    reason: "unknown feature '\(feature)' (one of \(RiskFeatures.derived.joined(separator: ", ")), "
                        + "or signals.NAME)"
                )
            }
            if isKeyword("is") {
                index += 1
                guard let word = take(), word.kind == .name, word.text == "missing" || word.text == "present" else {
                    throw ParseError(
                        position: peek?.position ?? end,
                        reason: "expected 'missing' or 'present' after 'is'"
                    )
                }
                return word.text == "missing" ? .missing(feature: feature) : .not(.missing(feature: feature))
            }
            guard let symbol = take(), symbol.kind == .symbol, let comparison = Comparison(rawValue: symbol.text) else {
                throw ParseError(
                    position: tokens.indices.contains(index - 1) ? tokens[index - 1].position : end,
                    reason: "expected a comparison (<, <=, >, >=, ==, !=) or 'is missing' after '\(feature)'"
                )
            }
            guard let number = take(), number.kind == .number, let value = Double(number.text), value.isFinite else {
                throw ParseError(
                    position: tokens.indices.contains(index - 1) ? tokens[index - 1].position : end,
                    reason: "expected a number after '\(feature) \(comparison.rawValue)'"
                )
            }
            return .compare(feature: feature, comparison, value)
        }
    }

    static func isFeature(_ name: String) -> Bool {
        if RiskFeatures.derived.contains(name) { return true }
        guard name.hasPrefix("signals.") else { return false }
        let signal = name.dropFirst("signals.".count)
        return !signal.isEmpty && signal.utf8.count <= EventDecoder.maxContextNameBytes
    }
}
