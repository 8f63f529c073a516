import ArgumentParser
import CartwiseService

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The flags every command that reads the configuration shares.
struct SettingsOptions: ParsableArguments {
    @Option(help: "Config file (JSON). Default: config/cartwise.json if it exists; env CARTWISE_CONFIG.")
    var config: String?

    @Option(help: "Address to listen on (server.host).")
    var host: String?

    @Option(help: "TCP port, 0 for any (server.port).")
    var port: Int?

    @Option(help: "Event loop threads, 0 for one per core (server.threads).")
    var threads: Int?

    @Option(name: .customLong("data-dir"), help: "Data directory (data_dir).")
    var dataDir: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (log.level).")
    var logLevel: String?

    @Option(
        name: .customLong("set"),
        help: "Any setting as KEY=VALUE, e.g. --set server.timeouts.idle_s=30 (repeatable)."
    )
    var settings: [String] = []

    /// Resolves flags > environment > file > defaults.
    func load(extra: [(key: String, value: String)] = []) throws -> ServiceConfiguration {
        var flags: [(key: String, value: String)] = extra
        for item in settings {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--set takes KEY=VALUE, got '\(item)'")
            }
            flags.append((String(item[..<equals]), String(item[item.index(after: equals)...])))
        }
        if let host { flags.append(("server.host", host)) }
        if let port { flags.append(("server.port", String(port))) }
        if let threads { flags.append(("server.threads", String(threads))) }
        if let dataDir { flags.append(("data_dir", dataDir)) }
        if let logLevel { flags.append(("log.level", logLevel)) }

        let environment = ProcessInfo.processInfo.environment
        var loader = ConfigurationLoader(flags: flags, environment: environment)
        if let path = config ?? environment["CARTWISE_CONFIG"] {
            loader.filePath = path
        } else if FileManager.default.fileExists(atPath: "config/cartwise.json") {
            loader.filePath = "config/cartwise.json"
        }
        do {
            return try loader.load()
        } catch {
            throw ValidationError(error.description)
        }
    }
}
