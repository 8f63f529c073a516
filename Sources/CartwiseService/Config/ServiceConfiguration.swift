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

    /// A setting's value, by the `Setting` its family declares (no key spelled twice).
    package func integer(_ setting: Setting) -> Int { integer(setting.key) }
    package func number(_ setting: Setting) -> Double { number(setting.key) }
    package func boolean(_ setting: Setting) -> Bool { boolean(setting.key) }
    package func text(_ setting: Setting) -> String { text(setting.key) }

    package func boolean(_ key: String) -> Bool {
        if case .boolean(let value) = values[key] { return value }
        preconditionFailure("setting \(key) is not a boolean")
    }

    package func text(_ key: String) -> String {
        if case .text(let value) = values[key] { return value }
        preconditionFailure("setting \(key) is not text")
    }

    package var dataDirectory: String { text(SettingsCatalog.dataDir) }
    package var benchmarkRoutes: Bool { boolean(SettingsCatalog.serverBenchmarkRoutes) }
    package var durability: Durability {
        Durability(
            setting: text(SettingsCatalog.storageDurability),
            intervalMilliseconds: integer(SettingsCatalog.storageFsyncIntervalMs)
        )
            ?? .fsync
    }
    package var segmentBytes: Int { integer(SettingsCatalog.storageSegmentBytes) }
    package var recentPerUser: Int { integer(SettingsCatalog.eventsRecentPerUser) }
    package var maxBatch: Int { integer(SettingsCatalog.eventsMaxBatch) }
    /// Milliseconds an event or a dated series point may lie ahead of the clock.
    package var maxFutureSkew: Int64 { Int64(integer(SettingsCatalog.eventsMaxFutureSkew)) * 1000 }
    package var eventWeights: EventWeights {
        var weights = EventWeights()
        weights.view = Float(number(SettingsCatalog.eventsWeightView))
        weights.click = Float(number(SettingsCatalog.eventsWeightClick))
        weights.addToCart = Float(number(SettingsCatalog.eventsWeightAddToCart))
        weights.purchase = Float(number(SettingsCatalog.eventsWeightPurchase))
        weights.impression = Float(number(SettingsCatalog.eventsWeightImpression))
        weights.rating = Float(number(SettingsCatalog.eventsWeightRating))
        return weights
    }
    package var popularityHalfLifeDays: Double { number(RecommendSettings.recommendPopularHalfLifeDays) }
    package var trainer: RecommendSettings {
        var settings = RecommendSettings()
        settings.als = ImplicitALS(
            factors: integer(RecommendSettings.alsFactors),
            regularization: Float(number(RecommendSettings.alsRegularization)),
            alpha: Float(number(RecommendSettings.alsAlpha)),
            iterations: integer(RecommendSettings.alsIterations),
            cgSteps: integer(RecommendSettings.alsCgSteps)
        )
        let threads = integer(RecommendSettings.alsThreads)
        settings.threads = threads > 0 ? threads : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        settings.interval = number(RecommendSettings.trainerIntervalS)
        settings.minNewEvents = integer(RecommendSettings.trainerMinNewEvents)
        settings.keep = integer(RecommendSettings.trainerSnapshotsKept)
        settings.holdoutUsers = integer(RecommendSettings.trainerHoldoutUsers)
        settings.autoTune = boolean(RecommendSettings.alsAutoTune)
        settings.tuneInterval = number(RecommendSettings.alsTuneIntervalS)
        settings.candidates = integer(RecommendSettings.recommendCachedCandidates)
        return settings
    }
    /// Where the API keys live.
    package var keysFile: String {
        let path = text(SettingsCatalog.authKeysFile)
        return path.isEmpty ? DataLayout(dataDirectory).keys : path
    }

    package var authMode: AccessControl.Mode { AccessControl.Mode(rawValue: text(SettingsCatalog.authMode)) ?? .auto }

    /// Written once this data directory has had an API key: from then on `auto` requires keys, so
    /// deleting the keys file (or its last key) closes the service instead of opening it.
    package var authMarkerFile: String { DataLayout(dataDirectory).authMarker }

    package var forecast: ForecastSettings {
        var settings = ForecastSettings()
        settings.refreshInterval = Int64(number(ForecastSettings.refreshIntervalS) * 1000)
        settings.threads = integer(ForecastSettings.threads)
        settings.backtest = boolean(ForecastSettings.backtest)
        settings.calibrateIntervals = boolean(ForecastSettings.calibrateIntervals)
        settings.maxHistory = integer(ForecastSettings.maxHistory)
        settings.families = DemandForecaster.Families(rawValue: text(ForecastSettings.models)) ?? .blend
        settings.planSeconds = number(ForecastSettings.planSeconds)
        settings.planRelativeGap = number(ForecastSettings.planRelativeGap)
        return settings
    }

    package var customers: CustomerSettings {
        var settings = CustomerSettings()
        settings.retrainInterval = Int64(number(CustomerSettings.retrainIntervalS) * 1000)
        settings.segments = integer(CustomerSettings.segments)
        settings.minSegments = integer(CustomerSettings.minSegments)
        settings.maxSegments = max(settings.minSegments, integer(CustomerSettings.maxSegments))
        settings.restarts = integer(CustomerSettings.restarts)
        settings.seed = UInt64(integer(CustomerSettings.seed))
        settings.horizonDays = integer(CustomerSettings.horizonDays)
        settings.monthlyDiscount = number(CustomerSettings.monthlyDiscount)
        return settings
    }

    package var campaigns: CampaignSettings {
        var settings = CampaignSettings()
        settings.retrainInterval = Int64(number(CampaignSettings.retrainIntervalS) * 1000)
        settings.controlShare = number(CampaignSettings.controlShare)
        settings.attributionDays = integer(CampaignSettings.attributionDays)
        settings.minExposuresPerArm = integer(CampaignSettings.minExposuresPerArm)
        settings.planSeconds = number(CampaignSettings.planSeconds)
        settings.planRelativeGap = number(CampaignSettings.planRelativeGap)
        settings.uplift.trees.maxLeafNodes = integer(CampaignSettings.upliftMaxLeafNodes)
        settings.uplift.trees.learningRate = number(CampaignSettings.upliftLearningRate)
        settings.uplift.trees.minSamplesLeaf = integer(CampaignSettings.upliftMinSamplesLeaf)
        settings.uplift.bags = integer(CampaignSettings.upliftBags)
        settings.uplift.learner = UpliftModel.Learner(rawValue: text(CampaignSettings.upliftLearner)) ?? .interaction
        return settings
    }

    package var risk: RiskSettings {
        var settings = RiskSettings()
        settings.reviewThreshold = number(RiskSettings.reviewThreshold)
        settings.declineThreshold = number(RiskSettings.declineThreshold)
        settings.minLabels = integer(RiskSettings.minLabels)
        settings.minFraudLabels = integer(RiskSettings.minFraudLabels)
        settings.retrainInterval = Int64(number(RiskSettings.retrainIntervalS) * 1000)
        settings.parameters = GradientBoostedTrees.Parameters(
            learningRate: number(RiskSettings.learningRate),
            iterations: integer(RiskSettings.iterations),
            maxLeafNodes: integer(RiskSettings.maxLeafNodes),
            minSamplesLeaf: integer(RiskSettings.minSamplesLeaf),
            l2: number(RiskSettings.l2)
        )
        settings.reasons = integer(RiskSettings.reasons)
        settings.recentOrders = integer(RiskSettings.recentOrders)
        settings.maxOrders = integer(RiskSettings.maxOrders)
        func list(_ setting: Setting) -> Set<String> {
            Set(text(setting).split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty })
        }
        settings.highRiskCategories = list(RiskSettings.highRiskCategories)
        settings.allow = RiskSettings.Lists(
            users: list(RiskSettings.allowUsers),
            emails: Set(list(RiskSettings.allowEmails).map { $0.lowercased() }),
            ips: list(RiskSettings.allowIps),
            cards: list(RiskSettings.allowCards)
        )
        settings.block = RiskSettings.Lists(
            users: list(RiskSettings.blockUsers),
            emails: Set(list(RiskSettings.blockEmails).map { $0.lowercased() }),
            ips: list(RiskSettings.blockIps),
            cards: list(RiskSettings.blockCards)
        )
        return settings
    }

    package var ctr: CTRSettings {
        var settings = CTRSettings()
        settings.bits = integer(CTRSettings.bits)
        settings.crosses = (Setting.crossList(text(CTRSettings.crosses)) ?? []).map { CTRFeatures.Cross($0.0, $0.1) }
        settings.parameters = FTRLProximal.Parameters(
            alpha: number(CTRSettings.alpha),
            beta: number(CTRSettings.beta),
            l1: number(CTRSettings.l1),
            l2: number(CTRSettings.l2)
        )
        settings.labelWindow = Int64(number(CTRSettings.labelWindowS) * 1000)
        settings.publishInterval = Int64(integer(CTRSettings.publishIntervalMs))
        return settings
    }
    package var logFormat: String { text(SettingsCatalog.logFormat) }
    package var logLevel: Logger.Level { Logger.Level(rawValue: text(SettingsCatalog.logLevel)) ?? .info }

    /// The certificate and key paths, when TLS is configured.
    package var tlsFiles: (certificate: String, key: String)? {
        let certificate = text(SettingsCatalog.serverTlsCert)
        let key = text(SettingsCatalog.serverTlsKey)
        return certificate.isEmpty && key.isEmpty ? nil : (certificate, key)
    }

    /// The HTTP server's part (without TLS: ``Application`` loads the certificate).
    package var server: HTTPServerConfiguration {
        HTTPServerConfiguration(
            host: text(SettingsCatalog.serverHost),
            port: integer(SettingsCatalog.serverPort),
            threads: integer(SettingsCatalog.serverThreads),
            backlog: Int32(integer(SettingsCatalog.serverBacklog)),
            maxConnections: integer(SettingsCatalog.serverMaxConnections),
            limits: HTTPParserLimits(
                requestLineBytes: integer(SettingsCatalog.serverLimitsRequestLineBytes),
                headerBytes: integer(SettingsCatalog.serverLimitsHeaderBytes),
                headerFields: integer(SettingsCatalog.serverLimitsHeaderFields),
                bodyBytes: integer(SettingsCatalog.serverLimitsBodyBytes)
            ),
            headerReadTimeout: number(SettingsCatalog.serverTimeoutsHeaderReadS),
            bodyReadTimeout: number(SettingsCatalog.serverTimeoutsBodyReadS),
            idleTimeout: number(SettingsCatalog.serverTimeoutsIdleS),
            writeTimeout: number(SettingsCatalog.serverTimeoutsWriteS),
            responseTimeout: number(SettingsCatalog.serverTimeoutsResponseS),
            drainTimeout: number(SettingsCatalog.serverTimeoutsDrainS),
            gzipEnabled: boolean(SettingsCatalog.serverGzipEnabled),
            gzipMinimumBytes: integer(SettingsCatalog.serverGzipMinBytes),
            gzipLevel: Int32(integer(SettingsCatalog.serverGzipLevel))
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
