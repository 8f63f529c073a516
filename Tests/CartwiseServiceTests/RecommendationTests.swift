import CartwiseModels
import CartwiseService
import HTTPCore
import Logging
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

private let json = [("Content-Type", "application/json")]

/// Two tastes: even users view items a0..a19, odd users b0..b19, three times each.
private func tasteEvents() -> [String] {
    var lines: [String] = []
    for user in 0..<40 {
        let prefix = user % 2 == 0 ? "a" : "b"
        for step in 0..<8 {
            let item = "\(prefix)\((user * 3 + step * 7) % 20)"
            lines.append(#"{"user":"u\#(user)","item":"\#(item)","type":"view","timestamp":\#(1_700_000_000 + step)}"#)
        }
    }
    return lines
}

private func withTrainedService(_ body: (BlockingHTTPClient, Application) throws -> Void) throws {
    let directory = temporaryDirectory()
    let configuration = try ConfigurationLoader(
        flags: [
            ("server.port", "0"), ("server.threads", "2"), ("data_dir", directory), ("als.factors", "8"),
            ("als.iterations", "8"), ("als.regularization", "0.1"), ("als.auto_tune", "false"), ("als.alpha", "5"),
            ("trainer.min_new_events", "1000000"), ("trainer.holdout_users", "10"), ("als.threads", "2"),
            ("recommend.cached_candidates", "12"),
        ]
    ).load()
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let application = try Application.start(configuration: configuration, logger: logger)
    defer { application.shutdown() }
    let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
    let ndjson = Array(tasteEvents().joined(separator: "\n").utf8)
    #expect(
        try client.request("POST", "/events", headers: [("Content-Type", "application/x-ndjson")], body: ndjson).status
            == 200
    )
    let items = #"{"items":[{"id":"a1","categories":["alpha"]},{"id":"a2","categories":["alpha"],"available":false}]}"#
    #expect(try client.request("POST", "/items", headers: json, body: Array(items.utf8)).status == 200)
    let trained = try client.request("POST", "/models/train")
    #expect(trained.status == 200)
    try body(client, application)
}

private struct Answer: Decodable {
    struct Entry: Decodable {
        var item: String
    }

    var items: [Entry]
}

private struct ModelsInfo: Decodable {
    var versionsOnDisk: [UInt64]

    enum CodingKeys: String, CodingKey { case versionsOnDisk = "versions_on_disk" }
}

private func items(_ response: BlockingHTTPClient.Response) throws -> [String] {
    try JSONDecoder().decode(Answer.self, from: Data(response.body)).items.map(\.item)
}

@Suite(.serialized) struct RecommendationTests {
    @Test func recommendationsFollowTheUsersTasteAndExcludeWhatTheySaw() throws {
        try withTrainedService { client, application in
            let answer = try client.request("GET", "/recommend?user=u0&k=5")
            #expect(answer.status == 200)
            #expect(answer.text.contains(#""source":"als""#))
            #expect(answer.text.contains(#""because":"a"#))
            let picked = try items(answer)
            #expect(picked.count == 5)
            // A small model: the best picks are the user's own taste, the tail may stray.
            #expect(picked.prefix(3).allSatisfy { $0.hasPrefix("a") }, "\(answer.text)")
            #expect(picked.filter { $0.hasPrefix("a") }.count >= 4, "\(answer.text)")
            let seen = Set(application.storage.store.interactions(user: "u0")!.weights.map(\.item))
            #expect(seen.isDisjoint(with: picked))
            // Sold-out items never come back; a category keeps only its items.
            #expect(!(try items(try client.request("GET", "/recommend?user=u2&k=20")).contains("a2")))
            let alpha = try items(try client.request("GET", "/recommend?user=u3&k=5&category=alpha"))
            #expect(alpha.allSatisfy { $0 == "a1" })
            let excluded = try items(try client.request("GET", "/recommend?user=u0&k=5&exclude=" + picked[0]))
            #expect(!excluded.contains(picked[0]))
            let exact = try client.request("GET", "/recommend?user=u0&k=3&explain=exact")
            #expect(exact.text.contains(#""because":"a"#))
        }
    }

    /// A merchandiser hides an item or deletes it from the catalog: neither is recommended or
    /// shown as similar any more (the model, trained before, still knows both); the hidden one
    /// stays in the catalog, the deleted one leaves it, durably, and its events stay.
    @Test func hiddenAndDeletedItemsAreNeverRecommended() throws {
        try withTrainedService { client, application in
            let before = try items(try client.request("GET", "/recommend?user=u0&k=6"))
            #expect(before.count == 6)
            let hiddenID = before[0]
            let deletedID = before[1]
            for id in [hiddenID, deletedID] {
                let item = #"{"items":[{"id":"\#(id)","categories":["alpha"]}]}"#
                #expect(try client.request("POST", "/items", headers: json, body: Array(item.utf8)).status == 200)
            }
            let patched = try client.request(
                "PATCH",
                "/items/\(hiddenID)",
                headers: [("Content-Type", "application/merge-patch+json")],
                body: Array(#"{"hidden":true}"#.utf8)
            )
            #expect(patched.status == 200 && patched.text.contains(#""hidden":true"#), "\(patched.text)")
            #expect(try client.request("DELETE", "/items/\(deletedID)").status == 204)
            #expect(try client.request("GET", "/items/\(deletedID)").status == 404)
            #expect(try client.request("DELETE", "/items/\(deletedID)").status == 404)
            #expect(try client.request("GET", "/items/\(hiddenID)").text.contains(#""hidden":true"#))
            let after = try items(try client.request("GET", "/recommend?user=u0&k=20"))
            #expect(!after.contains(hiddenID) && !after.contains(deletedID), "\(after)")
            for user in ["u2", "u4", "u6"] {
                let picks = try items(try client.request("GET", "/recommend?user=\(user)&k=20"))
                #expect(!picks.contains(hiddenID) && !picks.contains(deletedID))
            }
            let popular = try items(try client.request("GET", "/recommend?user=nobody&k=20"))
            #expect(!popular.contains(hiddenID) && !popular.contains(deletedID))
            let similar = try items(try client.request("GET", "/similar-items?item=a0&k=19"))
            #expect(!similar.contains(hiddenID) && !similar.contains(deletedID), "\(similar)")
            #expect(application.storage.store.stats.events > 0)
        }
    }

    /// The per-user candidates ranked at training time must answer exactly as a full pass over
    /// all items would, under every filter, and step aside when the filters exhaust them.
    @Test func cachedCandidatesAnswerLikeAFullPass() throws {
        try withTrainedService { _, application in
            let snapshot = try #require(application.feature(RecommendFeature.self)!.trainer.models.model)
            let store = application.storage.store
            #expect(snapshot.candidates.width == 12)
            var variants: [RecommendFilters] = []
            for (k, offset, category, exclude, availableOnly) in [
                (5, 0, nil, [], false), (3, 2, nil, ["a1", "b5"], false), (4, 0, "alpha", [], false),
                (6, 0, nil, [], true), (10, 2, nil, [], false), (20, 0, nil, [], false),
            ] as [(Int, Int, String?, [String], Bool)] {
                var filters = RecommendFilters()
                filters.k = k
                filters.offset = offset
                filters.category = category
                filters.exclude = Set(exclude)
                filters.availableOnly = availableOnly
                variants.append(filters)
            }
            var answeredFromCache = 0
            for user in 0..<snapshot.userNames.count {
                let name = snapshot.userNames[user]
                let known = RecommendRoutes.known(store.interactions(user: name)!.weights, in: snapshot)
                let seen = Set(known.map(\.item))
                // Cached answers are explained from the same history a live lookup gives.
                #expect(snapshot.candidates.history(user) == known.prefix(CandidateTable.historyLimit).map(\.item))
                for filters in variants {
                    let full = Recommender.rank(
                        snapshot,
                        vector: Array(snapshot.factors.users.row(user)),
                        seen: seen,
                        filters: filters,
                        store: store
                    )
                    guard let cached = Recommender.cached(snapshot, user: user, filters: filters, store: store) else {
                        // Falling back is right when the filters leave fewer than offset + k of the
                        // 12 kept (a sold-out a2 counts), never for a plain top 5.
                        #expect(filters.k + filters.offset > 5 || filters.category != nil || filters.availableOnly)
                        continue
                    }
                    answeredFromCache += 1
                    #expect(cached.map(\.item) == full.map(\.item), "\(name) k \(filters.k) offset \(filters.offset)")
                }
            }
            #expect(answeredFromCache >= snapshot.userNames.count * 2)
            var seenToo = RecommendFilters()
            seenToo.includeSeen = true
            #expect(Recommender.cached(snapshot, user: 0, filters: seenToo, store: store) == nil)
        }
    }

    @Test func aNewPurchaseIsFoldedInWithoutRetraining() throws {
        try withTrainedService { client, _ in
            let before = try items(try client.request("GET", "/recommend?user=u1&k=5"))
            let purchase = #"{"events":[{"user":"u1","item":"\#(before[0])","type":"purchase","value":1}]}"#
            #expect(try client.request("POST", "/events", headers: json, body: Array(purchase.utf8)).status == 200)
            let after = try client.request("GET", "/recommend?user=u1&k=5")
            #expect(after.text.contains(#""source":"fold-in""#))
            #expect(!(try items(after)).contains(before[0]))
        }
    }

    @Test func unknownUsersGetPopularItemsAndSessionsAreFoldedIn() throws {
        try withTrainedService { client, _ in
            let stranger = try client.request("GET", "/recommend?user=nobody&k=3")
            #expect(stranger.text.contains(#""source":"popular""#))
            #expect(try items(stranger).count == 3)
            // Scored by popularity relative to the most popular item, not by rank.
            struct Answer: Decodable {
                struct Pick: Decodable { var score: Double }
                var items: [Pick]
            }
            let scores = try JSONDecoder().decode(Answer.self, from: Data(stranger.body)).items.map(\.score)
            #expect(scores.first == 1 && zip(scores, scores.dropFirst()).allSatisfy { $0 >= $1 }, "\(scores)")
            #expect(scores.allSatisfy { $0 > 0 && $0 <= 1 }, "\(stranger.text)")
            let session = try client.request(
                "POST",
                "/recommend",
                headers: json,
                body: Array(#"{"items":["b1","b8","b15"],"k":4}"#.utf8)
            )
            #expect(session.text.contains(#""source":"fold-in""#))
            let picked = try items(session)
            #expect(picked.count == 4 && picked.allSatisfy { $0.hasPrefix("b") })
            #expect(
                try client.request("POST", "/recommend", headers: json, body: Array(#"{"k":4}"#.utf8)).status == 400
            )
            #expect(try client.request("GET", "/recommend?k=5").status == 400)
            #expect(try client.request("GET", "/recommend?user=u0&k=0").status == 400)
        }
    }

    @Test func similarItemsShareTheTaste() throws {
        try withTrainedService { client, _ in
            let similar = try client.request("GET", "/similar-items?item=a3&k=5")
            #expect(similar.status == 200)
            #expect(try items(similar).allSatisfy { $0.hasPrefix("a") && $0 != "a3" })
            #expect(try client.request("GET", "/similar-items?item=zzz").status == 404)
        }
    }

    @Test func modelsAreVersionedPersistedAndRolledBack() throws {
        try withTrainedService { client, application in
            let first = application.feature(RecommendFeature.self)!.trainer.models.model!.version
            #expect(try client.request("POST", "/models/train").status == 200)
            #expect(application.feature(RecommendFeature.self)!.trainer.models.model!.version == first + 1)
            let info = try client.request("GET", "/models")
            #expect(info.text.contains(#""version":\#(first + 1)"#))
            #expect(info.text.contains(#""precision_at_10""#))
            // The trainer may also have trained on its own once the events arrived (a model is due
            // when there is none), so older versions may be on disk too: the newest two are these.
            let onDisk = try JSONDecoder().decode(ModelsInfo.self, from: Data(info.body)).versionsOnDisk
            #expect(onDisk.suffix(2) == [first, first + 1])
            let rolled = try client.request("POST", "/models/rollback")
            #expect(rolled.status == 200)
            #expect(application.feature(RecommendFeature.self)!.trainer.models.model!.version == first)
        }
    }

    @Test func snapshotFilesRoundTripAndRejectDamage() throws {
        let directory = temporaryDirectory()
        let factors = ALSFactors(
            users: DenseMatrix(rows: 2, columns: 2, values: [1, 2, 3, 4]),
            items: DenseMatrix(rows: 3, columns: 2, values: [0.5, -1, 2, 0, 1, 1])
        )
        let info = RecommendSnapshot.Info(
            version: 7,
            trainedAt: 1_700_000_000_000,
            trainingSeconds: 1.5,
            users: 2,
            items: 3,
            interactions: 4,
            sequence: 9,
            precisionAt10: 0.25,
            usersEvaluated: 2,
            factors: 2,
            regularization: 0.1,
            alpha: 5,
            iterations: 3
        )
        let snapshot = RecommendSnapshot(
            info: info,
            userNames: ["u", "v"],
            itemNames: ["a", "b", "c"],
            factors: factors,
            popular: [2, 0, 1],
            popularScores: [1, 0.25, 0.125],
            categoryItems: ["x": [0, 2]],
            candidates: CandidateTable(
                width: 2,
                items: [1, 2, 0, -1],
                scores: [3, 2.5, 1, 0],
                historyOffsets: [0, 1, 3],
                history: [0, 2, 1]
            )
        )
        try SnapshotFile.write(snapshot, to: directory, keep: 2)
        let read = try SnapshotFile.read(directory, version: 7)
        #expect(read.info == info)
        #expect(read.factors == factors)
        #expect(read.itemNames == ["a", "b", "c"])
        #expect(read.popular == [2, 0, 1])
        #expect(read.popularScores == [1, 0.25, 0.125])
        #expect(read.categoryItems == ["x": [0, 2]])
        #expect(read.candidates == snapshot.candidates)
        #expect(read.candidates.candidates(1).map(\.item) == [0])
        #expect(read.candidates.history(1) == [2, 1])
        // A flipped byte fails the CRC, and the newest intact snapshot is used instead.
        var bytes = try FileSystem.readAll(SnapshotFile.path(directory, version: 7))
        bytes[bytes.count - 5] ^= 0xFF
        try FileSystem.writeNew(SnapshotFile.path(directory, version: 8), bytes)
        #expect(throws: StorageError.self) { try SnapshotFile.read(directory, version: 8) }
        let (newest, skipped) = SnapshotFile.newest(in: directory)
        #expect(newest?.version == 7)
        #expect(skipped.count == 1)
    }

    /// The registry every family publishes through: newer versions only, a rollback to the
    /// version before, held against automatic publications until one is asked for.
    @Test func theRegistryPublishesNewerVersionsAndARollbackHolds() {
        let registry = ModelRegistry<String>(family: "test", keep: 3)
        func card(_ version: UInt64) -> ModelCard {
            ModelCard(
                family: "test",
                version: version,
                trainedAt: 0,
                trainingSeconds: 0,
                data: [],
                quality: [],
                method: ""
            )
        }
        #expect(registry.publish("v1", card: card(1)))
        #expect(registry.publish("v2", card: card(2)))
        #expect(!registry.publish("old", card: card(1)))
        #expect(registry.model == "v2" && registry.versions == [1, 2])
        #expect(registry.rollback()?.model == "v1")
        #expect(registry.isHeld && registry.model == "v1")
        #expect(!registry.publish("v3", card: card(3)), "an automatic publication waits while a rollback holds")
        #expect(registry.publish("v3", card: card(3), requested: true))
        #expect(!registry.isHeld && registry.model == "v3")
        #expect(registry.publish("v4", card: card(4)) && registry.publish("v5", card: card(5)))
        #expect(registry.versions == [3, 4, 5], "keep bounds the history")
        // An update built from an older state is retried on the newer one.
        let updated = registry.update { current in
            .init(model: (current?.model ?? "") + "+", card: current!.card)
        }
        #expect(updated?.model == "v5+" && registry.versions == [3, 4, 5])
        #expect(registry.rollback()?.model == "v4" && registry.rollback()?.model == "v3" && registry.rollback() == nil)
    }
}
