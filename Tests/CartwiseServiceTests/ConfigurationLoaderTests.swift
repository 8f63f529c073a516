import CartwiseService
import HTTPCore
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct ConfigurationLoaderTests {
    private func writeFile(_ text: String) throws -> String {
        let path = "/tmp/cartwise-config-\(UInt64.random(in: 0...UInt64.max)).json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func defaultsApplyWithNoSources() throws {
        let configuration = try ConfigurationLoader().load()
        #expect(configuration.server.port == 8080)
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.limits.bodyBytes == 8 << 20)
        #expect(configuration.server.headerReadTimeout == 10)
        #expect(configuration.dataDirectory == "./data")
    }

    @Test func flagsBeatEnvironmentBeatFileBeatDefaults() throws {
        let path = try writeFile(
            #"{"server": {"port": 9001, "threads": 3, "timeouts": {"idle_s": 5}}, "log": {"level": "debug"}}"#
        )
        let loader = ConfigurationLoader(
            flags: [("server.port", "9003")],
            environment: ["CARTWISE_SERVER_PORT": "9002", "CARTWISE_SERVER_THREADS": "4", "PATH": "/bin"],
            filePath: path
        )
        let configuration = try loader.load()
        #expect(configuration.server.port == 9003)
        #expect(configuration.server.threads == 4)
        #expect(configuration.server.idleTimeout == 5)
        #expect(configuration.text("log.level") == "debug")
        #expect(configuration.server.gzipLevel == 5)
    }

    @Test func commentKeysAreIgnored() throws {
        let path = try writeFile(#"{"$comment": "x", "server": {"$port": "the port", "port": 1234}}"#)
        #expect(try ConfigurationLoader(filePath: path).load().server.port == 1234)
    }

    @Test func errorsNameTheKeyAndTheSource() throws {
        let typo = try writeFile(#"{"server": {"prot": 1}}"#)
        #expect(throws: ConfigurationError.unknownKey(key: "server.prot", source: typo)) {
            try ConfigurationLoader(filePath: typo).load()
        }
        let wrongType = try writeFile(#"{"server": {"port": "eighty"}}"#)
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader(filePath: wrongType).load() }
        do {
            _ = try ConfigurationLoader(environment: ["CARTWISE_SERVER_PORT": "70000"]).load()
            Issue.record("out-of-range port accepted")
        } catch {
            #expect(error.description.contains("server.port"))
            #expect(error.description.contains("CARTWISE_SERVER_PORT"))
            #expect(error.description.contains("0 to 65535"))
        }
        // An orchestrator's own CARTWISE_ variable is a warning, not a refusal to start.
        let foreign = try ConfigurationLoader(environment: ["CARTWISE_ENV": "prod", "CARTWISE_SERVER_PORT": "81"])
            .load()
        #expect(foreign.server.port == 81)
        #expect(foreign.warnings == ["environment variable CARTWISE_ENV names no setting and is ignored"])
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(flags: [("log.format", "xml")]).load()
        }
        let broken = try writeFile("{not json")
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader(filePath: broken).load() }
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader(filePath: "/nonexistent/c.json").load() }
    }

    @Test func booleansAndNumbersParseFromText() throws {
        let configuration = try ConfigurationLoader(
            flags: [("server.gzip.enabled", "off"), ("server.timeouts.header_read_s", "2.5")]
        ).load()
        #expect(configuration.server.gzipEnabled == false)
        #expect(configuration.server.headerReadTimeout == 2.5)
    }

    /// The shipped config file must be exactly what the catalog documents, so it never drifts.
    @Test func shippedConfigFileDocumentsEverySetting() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("config/cartwise.json").path
        let shipped = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        #expect(shipped == ServiceConfiguration.renderDocumentedFile(), "regenerate: cartwise config --defaults")
        let loaded = try ConfigurationLoader(filePath: path).load()
        for setting in SettingsCatalog.all {
            #expect(loaded.values[setting.key] == setting.defaultValue, "\(setting.key)")
        }
    }
}
