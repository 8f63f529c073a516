#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Resolves every setting from, in rising precedence: defaults, the JSON config file,
/// `CARTWISE_*` environment variables, then command-line flags.
package struct ConfigurationLoader {
    /// Values given on the command line, already keyed (`--port` is `server.port`).
    package var flags: [(key: String, value: String)] = []
    /// The environment to read `CARTWISE_*` from.
    package var environment: [String: String] = [:]
    /// The config file; nil means none. A missing file is an error only if it was asked for.
    package var filePath: String?
    package var fileIsOptional = false

    package init(
        flags: [(key: String, value: String)] = [],
        environment: [String: String] = [:],
        filePath: String? = nil
    ) {
        self.flags = flags
        self.environment = environment
        self.filePath = filePath
    }

    /// - Returns: every setting's value.
    /// - Throws: ``ConfigurationError`` naming the key and its source.
    package func load() throws(ConfigurationError) -> ServiceConfiguration {
        var values: [String: SettingValue] = [:]
        for setting in SettingsCatalog.all { values[setting.key] = setting.defaultValue }
        if let filePath {
            for (key, value) in try readFile(filePath) {
                guard let setting = SettingsCatalog.setting(key) else {
                    throw .unknownKey(key: key, source: filePath)
                }
                values[key] = try setting.validate(value, source: filePath)
            }
        }
        // An orchestrator may set its own CARTWISE_ENV or CARTWISE_RELEASE: a variable that names
        // no setting is a warning, where a config file's unknown key (ours alone) is an error.
        var warnings: [String] = []
        let known = Set(SettingsCatalog.all.map(\.environmentName))
        for name in environment.keys.sorted()
        where name.hasPrefix("CARTWISE_") && !known.contains(name)
            && !Self.nonSettingVariables.contains(name)
        {
            warnings.append("environment variable \(name) names no setting and is ignored")
        }
        for setting in SettingsCatalog.all {
            if let text = environment[setting.environmentName] {
                values[setting.key] = try setting.parse(text, source: "environment variable \(setting.environmentName)")
            }
        }
        for (key, text) in flags {
            guard let setting = SettingsCatalog.setting(key) else {
                throw .unknownKey(key: key, source: "the command line")
            }
            values[key] = try setting.parse(text, source: "the command line")
        }
        var configuration = ServiceConfiguration(values: values)
        configuration.warnings = warnings
        return configuration
    }

    /// `CARTWISE_*` variables that are not settings.
    static let nonSettingVariables: Set<String> = ["CARTWISE_CONFIG"]

    private func readFile(_ path: String) throws(ConfigurationError) -> [(String, SettingValue)] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: "\(error)")
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .malformedFile(path: path, reason: "\(error)")
        }
        var result: [(String, SettingValue)] = []
        try Self.flatten(root, prefix: "", path: path, into: &result)
        return result
    }

    /// Turns nested objects into dotted keys; keys starting with `$` are comments.
    private static func flatten(
        _ value: JSONValue,
        prefix: String,
        path: String,
        into result: inout [(String, SettingValue)]
    )
        throws(ConfigurationError)
    {
        switch value {
        case .object(let members):
            for (name, member) in members where !name.hasPrefix("$") {
                try flatten(member, prefix: prefix.isEmpty ? name : prefix + "." + name, path: path, into: &result)
            }
        case .bool(let flag): result.append((prefix, .boolean(flag)))
        case .number(let number):
            if number == number.rounded(), abs(number) < 9e15 {
                result.append((prefix, .integer(Int(number))))
            } else {
                result.append((prefix, .number(number)))
            }
        case .string(let text): result.append((prefix, .text(text)))
        case .null, .array:
            guard SettingsCatalog.setting(prefix) != nil else { throw .unknownKey(key: prefix, source: path) }
            throw .invalidValue(
                key: prefix,
                value: "\(value)",
                source: path,
                expected: SettingsCatalog.setting(prefix)!.expected
            )
        }
    }
}

/// Any JSON value, for reading documents whose shape is checked by hand.
package enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}
