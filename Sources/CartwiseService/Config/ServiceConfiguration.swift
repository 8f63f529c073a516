import CartwiseModels
package import HTTPCore
package import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The resolved configuration, typed. Built by ``ConfigurationLoader``.
package struct ServiceConfiguration: Sendable {
    /// Every setting's value by key, for `cartwise config` and the docs.
    package let values: [String: SettingValue]
    /// What loading noticed but did not refuse (a `CARTWISE_` variable that names no setting),
    /// for the log once it exists.
    package var warnings: [String] = []

    package init(values: [String: SettingValue]) {
        var complete = values
        for setting in SettingsCatalog.all where complete[setting.key] == nil {
            complete[setting.key] = setting.defaultValue
        }
        self.values = complete
    }

    /// The defaults only.
    package static var defaults: ServiceConfiguration { ServiceConfiguration(values: [:]) }

    package func integer(_ key: String) -> Int {
        if case .integer(let value) = values[key] { return value }
        preconditionFailure("setting \(key) is not an integer")
    }

    package func number(_ key: String) -> Double {
        switch values[key] {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: preconditionFailure("setting \(key) is not a number")
        }
    }

    package func boolean(_ key: String) -> Bool {
        if case .boolean(let value) = values[key] { return value }
        preconditionFailure("setting \(key) is not a boolean")
    }

    package func text(_ key: String) -> String {
        if case .text(let value) = values[key] { return value }
        preconditionFailure("setting \(key) is not text")
    }

    package var dataDirectory: String { text("data_dir") }
    package var benchmarkRoutes: Bool { boolean("server.benchmark_routes") }
    package var durability: Durability {
        Durability(setting: text("storage.durability"), intervalMilliseconds: integer("storage.fsync_interval_ms"))
            ?? .fsync
    }
    package var segmentBytes: Int { integer("storage.segment_bytes") }
    package var recentPerUser: Int { integer("events.recent_per_user") }
    package var maxBatch: Int { integer("events.max_batch") }
    package var eventWeights: EventWeights {
        var weights = EventWeights()
        weights.view = Float(number("events.weight.view"))
        weights.click = Float(number("events.weight.click"))
        weights.addToCart = Float(number("events.weight.add_to_cart"))
        weights.purchase = Float(number("events.weight.purchase"))
        weights.impression = Float(number("events.weight.impression"))
        weights.rating = Float(number("events.weight.rating"))
        return weights
    }
    package var popularityHalfLifeDays: Double { number("recommend.popular_half_life_days") }
    package var trainer: RecommendSettings {
        var settings = RecommendSettings()
        settings.als = ImplicitALS(
            factors: integer("als.factors"),
            regularization: Float(number("als.regularization")),
            alpha: Float(number("als.alpha")),
            iterations: integer("als.iterations"),
            cgSteps: integer("als.cg_steps")
        )
        let threads = integer("als.threads")
        settings.threads = threads > 0 ? threads : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        settings.interval = number("trainer.interval_s")
        settings.minNewEvents = integer("trainer.min_new_events")
        settings.keep = integer("trainer.snapshots_kept")
        settings.holdoutUsers = integer("trainer.holdout_users")
        settings.autoTune = boolean("als.auto_tune")
        settings.tuneInterval = number("als.tune_interval_s")
        settings.candidates = integer("recommend.cached_candidates")
        return settings
    }
    /// Where the API keys live.
    package var keysFile: String {
        let path = text("auth.keys_file")
        return path.isEmpty ? DataLayout(dataDirectory).keys : path
    }

    package var authMode: AccessControl.Mode { AccessControl.Mode(rawValue: text("auth.mode")) ?? .auto }

    /// Written once this data directory has had an API key: from then on `auto` requires keys, so
    /// deleting the keys file (or its last key) closes the service instead of opening it.
    package var authMarkerFile: String { DataLayout(dataDirectory).authMarker }

    package var forecast: ForecastSettings {
        var settings = ForecastSettings()
        settings.refreshInterval = Int64(number("forecast.refresh_interval_s") * 1000)
        settings.threads = integer("forecast.threads")
        settings.backtest = boolean("forecast.backtest")
        settings.calibrateIntervals = boolean("forecast.calibrate_intervals")
        settings.maxHistory = integer("forecast.max_history")
        return settings
    }

    package var risk: RiskSettings {
        var settings = RiskSettings()
        settings.reviewThreshold = number("risk.review_threshold")
        settings.declineThreshold = number("risk.decline_threshold")
        settings.minLabels = integer("risk.min_labels")
        settings.minFraudLabels = integer("risk.min_fraud_labels")
        settings.retrainInterval = Int64(number("risk.retrain_interval_s") * 1000)
        settings.parameters = GradientBoostedTrees.Parameters(
            learningRate: number("risk.learning_rate"),
            iterations: integer("risk.iterations"),
            maxLeafNodes: integer("risk.max_leaf_nodes"),
            minSamplesLeaf: integer("risk.min_samples_leaf"),
            l2: number("risk.l2")
        )
        settings.reasons = integer("risk.reasons")
        settings.recentOrders = integer("risk.recent_orders")
        settings.maxOrders = integer("risk.max_orders")
        func list(_ key: String) -> Set<String> {
            Set(text(key).split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty })
        }
        settings.highRiskCategories = list("risk.high_risk_categories")
        settings.allow = RiskSettings.Lists(
            users: list("risk.allow_users"),
            emails: Set(list("risk.allow_emails").map { $0.lowercased() }),
            ips: list("risk.allow_ips"),
            cards: list("risk.allow_cards")
        )
        settings.block = RiskSettings.Lists(
            users: list("risk.block_users"),
            emails: Set(list("risk.block_emails").map { $0.lowercased() }),
            ips: list("risk.block_ips"),
            cards: list("risk.block_cards")
        )
        return settings
    }

    package var ctr: CTRSettings {
        var settings = CTRSettings()
        settings.bits = integer("ctr.bits")
        settings.crosses = (Setting.crossList(text("ctr.crosses")) ?? []).map { CTRFeatures.Cross($0.0, $0.1) }
        settings.parameters = FTRLProximal.Parameters(
            alpha: number("ctr.alpha"),
            beta: number("ctr.beta"),
            l1: number("ctr.l1"),
            l2: number("ctr.l2")
        )
        settings.labelWindow = Int64(number("ctr.label_window_s") * 1000)
        settings.publishInterval = Int64(integer("ctr.publish_interval_ms"))
        return settings
    }
    package var logFormat: String { text("log.format") }
    package var logLevel: Logger.Level { Logger.Level(rawValue: text("log.level")) ?? .info }

    /// The certificate and key paths, when TLS is configured.
    package var tlsFiles: (certificate: String, key: String)? {
        let certificate = text("server.tls.cert")
        let key = text("server.tls.key")
        return certificate.isEmpty && key.isEmpty ? nil : (certificate, key)
    }

    /// The HTTP server's part (without TLS: ``Application`` loads the certificate).
    package var server: HTTPServerConfiguration {
        HTTPServerConfiguration(
            host: text("server.host"),
            port: integer("server.port"),
            threads: integer("server.threads"),
            backlog: Int32(integer("server.backlog")),
            maxConnections: integer("server.max_connections"),
            limits: HTTPParserLimits(
                requestLineBytes: integer("server.limits.request_line_bytes"),
                headerBytes: integer("server.limits.header_bytes"),
                headerFields: integer("server.limits.header_fields"),
                bodyBytes: integer("server.limits.body_bytes")
            ),
            headerReadTimeout: number("server.timeouts.header_read_s"),
            bodyReadTimeout: number("server.timeouts.body_read_s"),
            idleTimeout: number("server.timeouts.idle_s"),
            writeTimeout: number("server.timeouts.write_s"),
            responseTimeout: number("server.timeouts.response_s"),
            drainTimeout: number("server.timeouts.drain_s"),
            gzipEnabled: boolean("server.gzip.enabled"),
            gzipMinimumBytes: integer("server.gzip.min_bytes"),
            gzipLevel: Int32(integer("server.gzip.level"))
        )
    }

    /// The documented config file: every setting, its default, and a `$key` comment beside it.
    package static func renderDocumentedFile() -> String {
        final class Node {
            var order: [String] = []
            var children: [String: Node] = [:]
            var leaves: [String: Setting] = [:]
        }
        let root = Node()
        for setting in SettingsCatalog.all {
            let parts = setting.key.split(separator: ".").map(String.init)
            var node = root
            for part in parts.dropLast() {
                if node.children[part] == nil {
                    node.children[part] = Node()
                    node.order.append(part)
                }
                node = node.children[part]!
            }
            node.leaves[parts.last!] = setting
            node.order.append(parts.last!)
        }
        func render(_ node: Node, indent: String) -> String {
            var lines: [String] = []
            for name in node.order {
                if let setting = node.leaves[name] {
                    let note = setting.description + " Env " + setting.environmentName + "."
                    lines.append(indent + JSONText.quote("$" + name) + ": " + JSONText.quote(note))
                    lines.append(indent + JSONText.quote(name) + ": " + setting.defaultValue.json)
                } else if let child = node.children[name] {
                    lines.append(
                        indent + JSONText.quote(name) + ": {\n" + render(child, indent: indent + "  ") + "\n" + indent
                            + "}"
                    )
                }
            }
            return lines.joined(separator: ",\n")
        }
        return "{\n" + "  \"$comment\": \"Every Cartwise setting with its default. Keys starting with $ are comments. "
            + "Precedence: flags > CARTWISE_* environment > this file > defaults.\",\n" + render(root, indent: "  ")
            + "\n}\n"
    }
}

/// JSON string quoting without Foundation (shared with HTTPCore's rules).
package enum JSONText {
    package static func quote(_ text: String) -> String { JSONString.quote(text) }
}
