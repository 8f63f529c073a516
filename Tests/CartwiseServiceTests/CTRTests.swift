import CartwiseModels
import CartwiseService
import HTTPCore
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

private let json = [("Content-Type", "application/json")]

private func withCTRService(_ body: (BlockingHTTPClient, Application) throws -> Void) throws {
    let directory = temporaryDirectory()
    let configuration = try ConfigurationLoader(
        flags: [
            ("server.port", "0"), ("server.threads", "1"), ("data_dir", directory), ("ctr.label_window_s", "60"),
            ("ctr.publish_interval_ms", "10"), ("ctr.alpha", "0.3"), ("ctr.l1", "0"), ("ctr.bits", "16"),
            ("trainer.min_new_events", "1000000"), ("als.factors", "4"), ("als.iterations", "2"),
        ]
    ).load()
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let application = try Application.start(configuration: configuration, logger: logger)
    defer { application.shutdown() }
    try body(try BlockingHTTPClient(port: application.server.port, timeout: 30), application)
}

private struct ModelInfo: Decodable {
    var examples: Int
    var positives: Int
    var expired_as_negative: Int
    var backlog: Int
}

/// Polls `GET /models/ctr` until the learner has published `examples` (the learner is asynchronous).
private func waitForExamples(_ client: BlockingHTTPClient, _ examples: Int) throws -> ModelInfo? {
    for _ in 0..<500 {
        let response = try client.request("GET", "/models/ctr")
        if response.status == 200 {
            let info = try JSONDecoder().decode(ModelInfo.self, from: Data(response.body))
            if info.examples >= examples && info.backlog == 0 { return info }
        }
        usleep(10_000)
    }
    return nil
}

@Suite(.serialized) struct CTRServiceTests {
    /// Labels arrive three ways: a clicked flag, a click joined by impression_id, and the label
    /// window running out (negatives). The model then ranks the often-clicked item first.
    @Test func impressionsAndClicksTrainTheModelThatRanks() throws {
        try withCTRService { client, _ in
            #expect(try client.request("GET", "/models/ctr").status == 404)
            let now = Int64(Date().timeIntervalSince1970)
            var lines: [String] = []
            for index in 0..<400 {
                let item = index % 2 == 0 ? "good" : "bad"
                let clicked = index % 2 == 0 ? index % 10 != 0 : index % 10 == 1
                // The first 200 are flagged, the next 200 wait for a click or their window.
                if index < 200 {
                    lines.append(
                        #"{"user":"u\#(index % 7)","item":"\#(item)","type":"impression","clicked":\#(clicked),"context":{"device":"web"},"timestamp":\#(now)}"#
                    )
                } else {
                    // Shown two minutes ago: a 60 s window has passed for those without a click.
                    lines.append(
                        #"{"user":"u\#(index % 7)","item":"\#(item)","type":"impression","impression_id":"i\#(index)","context":{"device":"web"},"timestamp":\#(now - 120)}"#
                    )
                    if clicked {
                        lines.append(
                            #"{"user":"u\#(index % 7)","item":"\#(item)","type":"click","impression_id":"i\#(index)","timestamp":\#(now - 119)}"#
                        )
                    }
                }
            }
            let ndjson = Array(lines.joined(separator: "\n").utf8)
            let posted = try client.request(
                "POST",
                "/events",
                headers: [("Content-Type", "application/x-ndjson")],
                body: ndjson
            )
            #expect(posted.status == 200)
            let info = try #require(try waitForExamples(client, 400))
            #expect(info.examples == 400)
            #expect(info.positives == 200)
            #expect(info.expired_as_negative == 100)

            let rank =
                #"{"user":"u1","context":{"device":"web"},"items":[{"item":"bad"},{"item":"good"},{"item":"new"}],"k":3}"#
            let ranked = try client.request("POST", "/rank", headers: json, body: Array(rank.utf8))
            #expect(ranked.status == 200)
            struct Ranked: Decodable {
                struct Entry: Decodable {
                    var item: String
                    var p_click: Double
                }
                var items: [Entry]
                var ranking: String
            }
            let answer = try JSONDecoder().decode(Ranked.self, from: Data(ranked.body))
            #expect(answer.ranking == "ctr")
            // The delayed negatives arrive last (their window ends after every click), which pulls
            // all probabilities down; the order and the gap between the items are what must hold.
            #expect(answer.items.map(\.item) == ["good", "new", "bad"], "\(ranked.text)")
            #expect(answer.items[0].p_click > answer.items[2].p_click + 0.2, "\(ranked.text)")

            // rank=ctr re-ranks the ALS candidates: u9 viewed neither, so both are candidates.
            let views = (0..<9).flatMap { user in
                ["good", "bad", "other\(user)"].map { #"{"user":"u\#(user)","item":"\#($0)","type":"view"}"# }
            }
            let viewBody = Array(#"{"events":[\#(views.joined(separator: ","))]}"#.utf8)
            #expect(try client.request("POST", "/events", headers: json, body: viewBody).status == 200)
            #expect(try client.request("POST", "/models/train").status == 200)
            let reranked = try client.request("GET", "/recommend?user=u0&k=2&rank=ctr&include_seen=true")
            #expect(reranked.status == 200)
            #expect(reranked.text.contains(#""ranking":"ctr""#), "\(reranked.text)")
            #expect(reranked.text.contains(#""p_click":"#))
            #expect(try client.request("GET", "/recommend?user=u0&rank=popular").status == 400)
        }
    }

    @Test func badRankRequestsNameTheField() throws {
        try withCTRService { client, _ in
            let flagged = #"{"user":"u","item":"a","type":"impression","clicked":true}"#
            #expect(
                try client.request("POST", "/events", headers: json, body: Array(#"{"events":[\#(flagged)]}"#.utf8))
                    .status == 200
            )
            _ = try waitForExamples(client, 1)
            let cases: [(String, String)] = [
                (#"{"items":[]}"#, "items"),
                (#"{"items":[{"context":{}}]}"#, "items[0].item"),
                (#"{"items":[{"item":"a","context":{"x":[1]}}]}"#, "items[0].context.x"),
                (#"{"items":[{"item":"a"}],"k":0}"#, "k"),
                (#"{"user":"u"}"#, "items"),
                (#"{"items":[{"item":"a"}],"colour":1}"#, "colour"),
            ]
            for (body, field) in cases {
                let response = try client.request("POST", "/rank", headers: json, body: Array(body.utf8))
                #expect(response.status == 400, "\(body)")
                #expect(response.text.contains("'\(field)'"), "\(body): \(response.text)")
            }
            let tooMany = "{\"items\":[" + (0...1000).map { #"{"item":"i\#($0)"}"# }.joined(separator: ",") + "]}"
            let refused = try client.request("POST", "/rank", headers: json, body: Array(tooMany.utf8))
            #expect(refused.status == 400)
            #expect(refused.text.contains("at most 1000"))
            #expect(try client.request("POST", "/rank", headers: json, body: Array("{".utf8)).status == 400)
        }
    }

    /// `import ctr` rows become labelled impressions: user and item columns, the timestamp, numbers
    /// only where asked, and every other column as context.
    @Test func theCTRImporterReadsLabelledRows() throws {
        let directory = temporaryDirectory()
        try FileSystem.makeDirectory(directory)
        let path = directory + "/ctr.csv"
        let csv =
            "label,user_id,item_id,age,genres,timestamp,I1\n1,7,42,25,Action|Drama,891717742,3\n0,8,43,,Comedy,891717743,\n"
        try FileSystem.writeNew(path, Array(csv.utf8))
        var events: [Event] = []
        let count = try CTRImporter(path: path, numericColumns: ["I1"], now: 0).run { batch, _ in events += batch }
        #expect(count == 2)
        #expect(events[0].user == "7" && events[0].item == "42" && events[0].clicked == true)
        #expect(events[0].type == .impression)
        #expect(events[0].timestamp == 891_717_742_000)
        #expect(
            events[0].context == [
                ContextField(name: "age", value: .string("25")),
                ContextField(name: "genres", value: .string("Action|Drama")),
                ContextField(name: "I1", value: .number(3)),
            ]
        )
        #expect(events[1].clicked == false)
        #expect(events[1].context[0] == ContextField(name: "age", value: .string("")))
        #expect(events[1].context[2] == ContextField(name: "I1", value: .string("")))
        let bad = directory + "/bad.csv"
        try FileSystem.writeNew(bad, Array("label,I1\n2,1\n1,x\n".utf8))
        #expect(throws: ImportError.self) {
            try CTRImporter(path: bad, numericColumns: ["I1"], now: 0).run { _, _ in }
        }
    }

    /// The bounded top-k keeps exactly what a full stable sort would put first, ties included.
    /// The builder hashes strings itself (see `CTRFeatureBuilder.fnv`): its tokens must be
    /// `FeatureHasher`'s, or a model learned from events would score requests elsewhere.
    @Test func builtTokensAreTheHashersTokens() {
        let long = String(repeating: "long-value-", count: 4)
        let event = Event(
            user: "u-17",
            item: "item-3",
            type: .impression,
            timestamp: 1_764_000_000_000 + 5 * 3_600_000,
            context: [
                ContextField(name: "device", value: .string("mobile")),
                ContextField(name: "a_rather_long_field_name", value: .string(long)),
                ContextField(name: "count", value: .number(37)),
                ContextField(name: "genres", value: .string("Drama|Comedy")),
                ContextField(name: "empty", value: .string("")),
            ]
        )
        var tokens = CTRFeatures.Tokens()
        CTRFeatureBuilder.impression(event, categories: [], into: &tokens)
        let hour = (1_764_000_000_000 / 3_600_000 + 5) % 24
        let weekday = ((1_764_000_000_000 + 5 * 3_600_000) / 86_400_000 + 3) % 7
        let expected: [UInt64] = [
            FeatureHasher.token("user", "u-17"), FeatureHasher.token("hour", String(hour)),
            FeatureHasher.token("weekday", String(weekday)), FeatureHasher.token("device", "mobile"),
            FeatureHasher.token("a_rather_long_field_name", long),
            FeatureHasher.token("count", CTRFeatures.Tokens.bin(37)),
            FeatureHasher.token("genres", "Drama"), FeatureHasher.token("genres", "Comedy"),
            FeatureHasher.token("empty", ""), FeatureHasher.token("item", "item-3"),
        ]
        #expect(tokens.hashes == expected)
        #expect(
            tokens.names
                == [
                    "user", "hour", "weekday", "device", "a_rather_long_field_name", "count", "genres", "empty", "item",
                ]
                .map(FeatureHasher.prefix)
        )
    }

    /// Every path of ``CTRModel/margins``: catalog items, items with their own context, and
    /// items whose fields shadow the request's (the whole example is summed then), against the
    /// weights of the example's full coordinates.
    @Test func marginsAreTheWeightsOfTheWholeExample() {
        let features = CTRFeatures(
            hasher: FeatureHasher(bits: 16),
            crosses: [.init("user", "category"), .init("item", "device")]
        )
        let weights = (0..<features.hasher.size).map { Float($0 % 89) / 89 - 0.5 }
        let info = CTRModel.Info(
            version: 1,
            publishedAt: 0,
            examples: 0,
            positives: 0,
            logLoss: 0,
            deciles: [],
            nonZeroWeights: 0,
            pendingImpressions: 0,
            expiredAsNegative: 0,
            lateClicks: 0
        )
        let model = CTRModel(info: info, features: features, weights: weights)
        var catalog = CTRCatalog()
        catalog.set("i1", CTRCatalogItem(id: "i1", categories: ["shoes", "sale"]))
        catalog.set("i2", CTRCatalogItem(id: "i2", categories: []))
        let body = #"{"items":[{"item":"i1"},{"item":"i2","context":{"device":"ios"}},{"item":"unknown"}]}"#
        let request = try? RankRequest(body: Array(body.utf8), now: 0)
        let entries = request?.items ?? []
        let itemContexts = request?.itemContexts ?? CTRFeatures.Tokens()
        #expect(entries.count == 3)
        #expect(entries.map(\.context.count) == [0, 1, 0])
        for (shadowed, context) in [
            [ContextField(name: "device", value: .string("web"))],
            // A request field named like a catalog item's own field: shadowed, summed whole.
            [ContextField(name: "category", value: .string("gifts"))],
        ].enumerated() {
            let margins = model.margins(
                user: "u1",
                timestamp: 0,
                context: context,
                items: entries,
                itemContexts: itemContexts,
                catalog: catalog
            )
            let shared = CTRFeatureBuilder.shared(user: "u1", timestamp: 0, context: context)
            for (entry, margin) in zip(entries, margins) {
                var own = CTRFeatures.Tokens()
                CTRFeatureBuilder.own(
                    item: entry.item,
                    categories: catalog[entry.item]?.categories ?? [],
                    contexts: itemContexts,
                    fields: entry.context,
                    into: &own
                )
                let expected = features.coordinates(shared: shared, own: own).reduce(Float(0)) { $0 + weights[Int($1)] }
                #expect(abs(margin - Double(expected)) < 1e-4, "\(entry.item), context \(shadowed)")
            }
        }
    }

    @Test func theCatalogFindsWhatADictionaryFinds() {
        var catalog = CTRCatalog()
        var reference: [String: CTRCatalogItem] = [:]
        #expect(catalog["missing"] == nil)
        // Short (inline) and long ids, non-ASCII ones, and replacements; enough to grow often.
        let ids = (0..<3000).map { index in
            index % 3 == 0
                ? "i\(index)" : index % 3 == 1 ? "a-much-longer-item-identifier-\(index)" : "article-é-\(index)"
        }
        for (index, id) in ids.enumerated() {
            let item = CTRCatalogItem(id: id, categories: ["c\(index % 7)"])
            catalog.set(id, item)
            reference[id] = item
            if index % 10 == 0 {
                let replacement = CTRCatalogItem(id: id, categories: ["replaced"])
                catalog.set(id, replacement)
                reference[id] = replacement
            }
        }
        #expect(catalog.count == reference.count)
        for id in ids { #expect(catalog[id] === reference[id], "\(id)") }
        for id in ["", "i1", "i3000", "article-é-1", "a-much-longer-item-identifier-0"] {
            #expect(catalog[id] === reference[id], "\(id)")
        }
    }

    @Test func topKOrderMatchesAFullSort() {
        var random = SystemRandomNumberGenerator()
        for trial in 0..<200 {
            let count = trial % 40 + 1
            // Few distinct values, so ties are common.
            let probabilities = (0..<count).map { _ in Double(Int.random(in: 0..<6, using: &random)) / 8 }
            let full = probabilities.enumerated().sorted {
                $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset)
            }
            for limit in [0, 1, 3, count / 2, count, count + 5] {
                let picked = CTRRoutes.order(probabilities, limit: limit)
                #expect(picked.map(\.entry) == full.prefix(limit).map(\.offset), "\(probabilities) limit \(limit)")
                #expect(picked.map(\.score) == full.prefix(limit).map(\.element))
            }
        }
    }
}
