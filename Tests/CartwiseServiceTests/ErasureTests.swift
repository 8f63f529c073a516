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

/// `DELETE /users/{id}`: after it, and after a restart (which rewrites the logs), no endpoint,
/// export or model returns the shopper's data, and no file of the data directory holds their id;
/// events sent under the id after the erasure are new data and are kept.
@Suite(.serialized) struct ErasureTests {
    private let json = [("Content-Type", "application/json")]

    private func start(_ directory: String) throws -> Application {
        let configuration = try ConfigurationLoader(
            flags: [
                ("server.port", "0"), ("server.threads", "2"), ("data_dir", directory), ("als.factors", "4"),
                ("als.iterations", "4"), ("als.auto_tune", "false"), ("trainer.min_new_events", "1000000"),
                ("trainer.holdout_users", "0"), ("als.threads", "1"),
            ]
        ).load()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return try Application.start(configuration: configuration, logger: logger)
    }

    private struct Recommendation: Decodable {
        var source: String
    }

    @Test func anErasedShopperIsGoneFromAnswersExportsModelsAndDisk() throws {
        let directory = temporaryDirectory()
        let alice = "alice-7f3e9"
        do {
            let application = try start(directory)
            defer { application.shutdown() }
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            var lines: [String] = []
            for user in 0..<30 {
                for item in 0..<6 {
                    lines.append(#"{"user":"u\#(user)","item":"i\#((user + item) % 12)","type":"view"}"#)
                }
            }
            for item in 0..<6 {
                lines.append(#"{"user":"\#(alice)","item":"i\#(item)","type":"purchase","order_id":"o-\#(item)"}"#)
            }
            for item in 0..<3 { lines.append(#"{"user":"bob","item":"i\#(item)","type":"view"}"#) }
            let ndjson = Array(lines.joined(separator: "\n").utf8)
            #expect(
                try client.request("POST", "/events", headers: [("Content-Type", "application/x-ndjson")], body: ndjson)
                    .status == 200
            )
            let order =
                #"{"order_id":"o-alice","user":"\#(alice)","amount":40,"email":"alice@private.example","ip":"10.1.2.3","#
                + #""payment":{"card_fingerprint":"card-alice"}}"#
            #expect(try client.request("POST", "/score-order", headers: json, body: Array(order.utf8)).status == 200)
            #expect(try client.request("POST", "/models/train").status == 200)
            let before = try JSONDecoder().decode(
                Recommendation.self,
                from: Data(try client.request("GET", "/recommend?user=\(alice)").body)
            )
            #expect(before.source == "als")

            let erased = try client.request("DELETE", "/users/\(alice)")
            #expect(erased.status == 200 && erased.text.contains(#""events_in_memory":6"#), "\(erased.text)")
            #expect(try client.request("GET", "/users/\(alice)/events").status == 404)
            let after = try JSONDecoder().decode(
                Recommendation.self,
                from: Data(try client.request("GET", "/recommend?user=\(alice)").body)
            )
            #expect(after.source == "popular")
            let decision = try client.request("GET", "/score-order/o-alice")
            #expect(
                decision.status == 200 && !decision.text.contains(alice) && decision.text.contains(#""erased":true"#)
            )
            #expect(!decision.text.contains("email_hash") && !decision.text.contains("card-alice"))

            // Bob is erased, then comes back: what he sends afterwards is kept.
            #expect(try client.request("DELETE", "/users/bob").status == 200)
            let back = #"{"events":[{"user":"bob","item":"i9","type":"view"}]}"#
            #expect(try client.request("POST", "/events", headers: json, body: Array(back.utf8)).status == 200)
            #expect(try client.request("GET", "/users/bob/events").text.contains(#""total":1"#))
        }
        // The next start rewrites the logs; nothing of Alice is left, Bob's new event is.
        do {
            let application = try start(directory)
            defer { application.shutdown() }
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            #expect(try client.request("GET", "/users/\(alice)/events").status == 404)
            let bob = try client.request("GET", "/users/bob/events")
            #expect(bob.status == 200 && bob.text.contains(#""total":1"#) && bob.text.contains("i9"), "\(bob.text)")
            let decision = try client.request("GET", "/score-order/o-alice")
            #expect(decision.status == 200 && !decision.text.contains(alice), "\(decision.text)")
            // The snapshots held Alice's factors: they are gone, and the model is trained afresh.
            var answer = try client.request("GET", "/recommend?user=\(alice)")
            for _ in 0..<600 where answer.status == 503 {
                usleep(50_000)
                answer = try client.request("GET", "/recommend?user=\(alice)")
            }
            #expect(try JSONDecoder().decode(Recommendation.self, from: Data(answer.body)).source == "popular")
        }
        // No file of the directory holds Alice's id or her email any more.
        var holders: [String] = []
        func scan(_ path: String) throws {
            for name in try FileSystem.list(path) {
                let entry = path + "/" + name
                if (try? FileSystem.list(entry)) != nil {
                    try scan(entry)
                } else {
                    let text = String(decoding: try FileSystem.readAll(entry), as: UTF8.self)
                    if text.contains(alice) || text.contains("alice@private") { holders.append(entry) }
                }
            }
        }
        try scan(directory)
        #expect(holders.isEmpty, "\(holders)")
    }

    @Test func anErasureRecordHoldsNoIdAndReadsBack() throws {
        let record = ErasureRecord(
            userHash: PersonalData(salt: [1, 2, 3]).hash("user:alice"),
            at: 1_800_000_000_000,
            by: "dpo",
            eventsEnd: RecordLog.Location(segment: 2, offset: 4096)
        )
        let bytes = record.encode()
        #expect(!String(decoding: bytes, as: UTF8.self).contains("alice"))
        #expect(try ErasureRecord.decode(bytes) == record)
        let redacted = String(
            decoding: AuditEntry.redacted(
                Array(#"{"order_id":"o","user":"alice","email_hash":"ab","score":0.5}"#.utf8)
            ),
            as: UTF8.self
        )
        #expect(redacted == #"{"order_id":"o","score":0.5,"erased":true}"#)
    }
}
