/// One configurable value: its key, default, description and accepted range.
///
/// Settings are data, not code paths: the same list drives the config file loader, the
/// `CARTWISE_*` environment variables, `--set key=value`, validation messages, and the
/// documented `config/cartwise.json`.
package struct Setting: Sendable {
    package enum Kind: Sendable, Equatable {
        case integer(ClosedRange<Int>)
        case number(ClosedRange<Double>)
        case boolean
        case text(choices: [String]?)
        /// Comma-separated `field*field` pairs (CTR feature crosses); empty for none.
        case crosses
    }

    package let key: String
    package let kind: Kind
    package let defaultValue: SettingValue
    package let description: String

    /// The environment variable that overrides it: `server.port` is `CARTWISE_SERVER_PORT`.
    package var environmentName: String {
        "CARTWISE_" + key.uppercased().replacing(".", with: "_")
    }

    /// Parses a value given as text (environment variable or `--set`).
    /// - Throws: ``ConfigurationError/invalidValue(key:value:source:expected:)``.
    package func parse(_ text: String, source: String) throws(ConfigurationError) -> SettingValue {
        let trimmed = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        switch kind {
        case .integer:
            guard let value = Int(trimmed) else { throw invalid(text, source) }
            return try validate(.integer(value), source: source)
        case .number:
            guard let value = Double(trimmed), value.isFinite else { throw invalid(text, source) }
            return try validate(.number(value), source: source)
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "1", "yes", "on": return .boolean(true)
            case "false", "0", "no", "off": return .boolean(false)
            default: throw invalid(text, source)
            }
        case .text, .crosses:
            return try validate(.text(text), source: source)
        }
    }

    /// Checks a typed value (from the JSON file) against the kind and range.
    /// - Throws: ``ConfigurationError/invalidValue(key:value:source:expected:)``.
    package func validate(_ value: SettingValue, source: String) throws(ConfigurationError) -> SettingValue {
        switch (kind, value) {
        case (.integer(let range), .integer(let number)) where range.contains(number):
            return value
        case (.number(let range), .number(let number)) where range.contains(number):
            return value
        case (.number(let range), .integer(let number)) where range.contains(Double(number)):
            return .number(Double(number))
        case (.boolean, .boolean):
            return value
        case (.crosses, .text(let text)) where Self.crossList(text) != nil:
            return value
        case (.text(let choices), .text(let text)) where choices == nil || choices!.contains(text):
            return value
        default:
            throw invalid(value.description, source)
        }
    }

    /// Words for the accepted values, used in error messages and docs.
    package var expected: String {
        switch kind {
        case .integer(let range): return "an integer from \(range.lowerBound) to \(range.upperBound)"
        case .number(let range): return "a number from \(range.lowerBound) to \(range.upperBound)"
        case .boolean: return "true or false"
        case .text(let choices?): return "one of " + choices.joined(separator: ", ")
        case .text(nil): return "a string"
        case .crosses: return "comma-separated field*field pairs, e.g. user*category,item*device"
        }
    }

    /// The pairs of a ``Kind/crosses`` value, or nil when one is malformed.
    package static func crossList(_ text: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for part in text.split(separator: ",") {
            let trimmed = part.trimmingPrefix(while: { $0 == " " })
            let sides = trimmed.split(separator: "*", omittingEmptySubsequences: false)
            guard sides.count == 2 else { return nil }
            let first = String(sides[0]).trimmingSpaces
            let second = String(sides[1]).trimmingSpaces
            guard !first.isEmpty, !second.isEmpty else { return nil }
            pairs.append((first, second))
        }
        return pairs
    }

    private func invalid(_ text: String, _ source: String) -> ConfigurationError {
        .invalidValue(key: key, value: text, source: source, expected: expected)
    }
}

/// A setting's value.
package enum SettingValue: Sendable, Equatable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case text(String)

    package var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .boolean(let value): return String(value)
        case .text(let value): return value
        }
    }

    /// The value as a JSON literal.
    package var json: String {
        switch self {
        case .text(let value): return JSONText.quote(value)
        case .number(let value) where value == value.rounded() && abs(value) < 1e15:
            return String(Int(value))
        default: return description
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
