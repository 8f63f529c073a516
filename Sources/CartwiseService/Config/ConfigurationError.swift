/// Why the configuration could not be loaded; each case names the key and where it came from.
package enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case unknownKey(key: String, source: String)
    case invalidValue(key: String, value: String, source: String, expected: String)
    case unreadableFile(path: String, reason: String)
    case malformedFile(path: String, reason: String)

    package var description: String {
        switch self {
        case .unknownKey(let key, let source):
            return "unknown setting '\(key)' in \(source)"
        case .invalidValue(let key, let value, let source, let expected):
            return "setting '\(key)' from \(source) is '\(value)', expected \(expected)"
        case .unreadableFile(let path, let reason):
            return "cannot read config file \(path): \(reason)"
        case .malformedFile(let path, let reason):
            return "config file \(path) is not valid JSON: \(reason)"
        }
    }
}
