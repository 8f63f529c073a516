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
private let ndjson = [("Content-Type", "application/x-ndjson")]

/// Starts the service on `directory` (kept between starts), runs `body`, and shuts down.
private func withService(directory: String, _ body: (BlockingHTTPClient, Application) throws -> Void) throws {
    let configuration = try ConfigurationLoader(
        flags: [
            ("server.port", "0"), ("server.threads", "2"), ("data_dir", directory), ("events.recent_per_user", "5"),
        ]
    ).load()
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let application = try Application.start(configuration: configuration, logger: logger)
    defer { application.shutdown() }
    try body(try BlockingHTTPClient(port: application.server.port), application)
}

@Suite struct IngestRoutesTests {
    @Test func aDeletedItemStaysDeletedAfterARestartAndComesBackWhenPosted() throws {
        let directory = temporaryDirectory()
        let json = [("Content-Type", "application/json")]
        try withService(directory: directory) { client, _ throws in
            let items = #"{"items":[{"id":"x1","title":"Kettle"},{"id":"x2","title":"Mug"}]}"#
            #expect(try client.request("POST", "/items", headers: json, body: Array(items.utf8)).status == 200)
            #expect(try client.request("DELETE", "/items/x1").status == 204)
        }
        try withService(directory: directory) { client, _ throws in
            #expect(try client.request("GET", "/items/x1").status == 404)
            #expect(try client.request("GET", "/items/x2").status == 200)
            #expect(!(try client.request("GET", "/items").text.contains("x1")))
            let back = #"{"items":[{"id":"x1","title":"Kettle 2"}]}"#
            #expect(try client.request("POST", "/items", headers: json, body: Array(back.utf8)).status == 200)
            #expect(try client.request("GET", "/items/x1").text.contains("Kettle 2"))
        }
    }

    @Test func acceptedEventsAreServedNewestFirstAndSurviveARestart() throws {
        let directory = temporaryDirectory()
        try withService(directory: directory) { client, _ in
            var lines: [String] = []
            for minute in 0..<8 {
                lines.append(
                    #"{"user":"u 1","item":"sku-\#(minute)","type":"view","timestamp":"2026-01-01T00:0\#(minute):00Z","context":{"page":"home"}}"#
                )
            }
            let answer = try client.request(
                "POST",
                "/events",
                headers: ndjson,
                body: Array(lines.joined(separator: "\n").utf8)
            )
            #expect(answer.status == 200)
            #expect(answer.text == #"{"accepted":8}"#)
            let body =
                #"{"events":[{"user":"u 1","item":"sku-x","type":"purchase","value":2,"price":5,"#
                + #""timestamp":1767225600,"order_id":"o1"}]}"#
            #expect(try client.request("POST", "/events", headers: json, body: Array(body.utf8)).status == 200)

            let recent = try client.request("GET", "/users/u%201/events?limit=3")
            #expect(recent.status == 200)
            #expect(
                recent.text.hasPrefix(#"{"user":"u 1","total":9,"returned":3,"events":[{"user":"u 1","item":"sku-7""#)
            )
            #expect(recent.text.contains(#""context":{"page":"home"}"#))
        }
        // A new process on the same directory replays the log: same answers.
        try withService(directory: directory) { client, application in
            let recent = try client.request("GET", "/users/u%201/events?limit=5")
            #expect(recent.text.contains(#""total":9,"returned":5"#))
            #expect(application.storage.store.stats.events == 9)
            let limited = try client.request("GET", "/users/u%201/events?limit=6")
            #expect(limited.status == 400)
            #expect(limited.text.contains("query parameter 'limit'"))
            #expect(try client.request("GET", "/users/nobody/events").status == 404)
        }
    }

    @Test func anInvalidBatchIsRejectedWholeAndNothingIsStored() throws {
        try withService(directory: temporaryDirectory()) { client, application in
            let body =
                #"{"events":[{"user":"a","item":"i","type":"view"},{"user":"b","item":"i","type":"teleport"},"#
                + #"{"user":"c","type":"view","price":"cheap"}]}"#
            let answer = try client.request("POST", "/events", headers: json, body: Array(body.utf8))
            #expect(answer.status == 400)
            #expect(answer.headers["Content-Type"] == "application/problem+json")
            #expect(answer.text.contains(#"{"index":1,"field":"type""#))
            #expect(answer.text.contains(#"{"index":2,"field":"price""#))
            #expect(answer.text.contains(#"{"index":2,"field":"item","reason":"is required"}"#))
            #expect(application.storage.store.stats.events == 0)
            #expect(try client.request("GET", "/users/a/events").status == 404)
            let csv = try client.request("POST", "/events", headers: [("Content-Type", "text/csv")], body: [65])
            #expect(csv.status == 415)
        }
    }

    @Test func catalogItemsAreUpsertedAndServed() throws {
        let directory = temporaryDirectory()
        try withService(directory: directory) { client, _ in
            let items =
                #"{"items":[{"id":"sku-1","title":"Kettle","categories":["kitchen"],"price":29.9,"#
                + #""available":true,"stock":4,"attributes":{"brand":"Acme"}},{"id":"sku-2"}]}"#
            #expect(
                try client.request("POST", "/items", headers: json, body: Array(items.utf8)).text == #"{"accepted":2}"#
            )
            let update = #"{"id":"sku-1","title":"Kettle","categories":["kitchen"],"available":false}"#
            #expect(try client.request("POST", "/items", headers: ndjson, body: Array(update.utf8)).status == 200)
            let bad = #"{"items":[{"id":"x","stock":-1}]}"#
            let rejected = try client.request("POST", "/items", headers: json, body: Array(bad.utf8))
            #expect(rejected.status == 400)
            #expect(rejected.text.contains(#""field":"stock""#))
            // 33 categories are too many even when they repeat (the schema counts them as sent).
            let repeated = Array(repeating: #""a""#, count: 33).joined(separator: ",")
            let many = #"{"items":[{"id":"x","categories":["# + repeated + "]}]}"
            let tooMany = try client.request("POST", "/items", headers: json, body: Array(many.utf8))
            #expect(tooMany.status == 400 && tooMany.text.contains(#""field":"categories""#), "\(tooMany.text)")
        }
        try withService(directory: directory) { client, _ in
            let item = try client.request("GET", "/items/sku-1")
            #expect(item.status == 200)
            #expect(item.text.contains(#""available":false"#))
            #expect(!item.text.contains("price"))
            #expect(try client.request("GET", "/items/sku-2").status == 200)
            #expect(try client.request("GET", "/items/none").status == 404)
        }
    }

    /// A merge patch changes what it names and keeps the rest, durably; it cannot change the id
    /// or name an unknown field. GET /items pages the catalog in id order with filters.
    @Test func itemsArePatchedAndListed() throws {
        let directory = temporaryDirectory()
        try withService(directory: directory) { client, _ in
            var items: [String] = []
            for index in 0..<5 {
                let category = index % 2 == 0 ? "toys" : "garden"
                items.append(
                    #"{"id":"i\#(index)","title":"Item \#(index)","categories":["\#(category)"],"price":\#(10 + index),"stock":3}"#
                )
            }
            let body = Array(#"{"items":[\#(items.joined(separator: ","))]}"#.utf8)
            #expect(try client.request("POST", "/items", headers: json, body: body).status == 200)
            let patched = try client.request("PATCH", "/items/i0", headers: json, body: Array(#"{"price":8.5}"#.utf8))
            #expect(patched.status == 200, "\(patched.text)")
            #expect(
                patched.text.contains(#""title":"Item 0""#) && patched.text.contains(#""price":8.5"#),
                "\(patched.text)"
            )
            #expect(patched.text.contains(#""stock":3"#) && patched.text.contains("toys"))
            let cleared = try client.request("PATCH", "/items/i0", headers: json, body: Array(#"{"stock":null}"#.utf8))
            #expect(
                cleared.status == 200 && !cleared.text.contains("stock") && cleared.text.contains("8.5"),
                "\(cleared.text)"
            )
            for (patch, field) in [
                (#"{"id":"other"}"#, "'id'"), (#"{"colour":"red"}"#, "'colour'"), (#"{"price":-1}"#, "'price'"),
                (#"[1]"#, "(body)"),
            ] {
                let refused = try client.request("PATCH", "/items/i1", headers: json, body: Array(patch.utf8))
                #expect(refused.status == 400 && refused.text.contains(field), "\(patch): \(refused.text)")
            }
            #expect(try client.request("PATCH", "/items/none", headers: json, body: Array("{}".utf8)).status == 404)
            let first = try client.request("GET", "/items?category=toys&limit=2")
            #expect(first.status == 200, "\(first.text)")
            #expect(
                first.text.contains(#""id":"i0""#) && first.text.contains(#""id":"i2""#)
                    && !first.text.contains(#""id":"i4""#)
            )
            #expect(
                first.text.contains(#""matching":3"#) && first.text.contains(#""next_after":"i2""#),
                "\(first.text)"
            )
            let second = try client.request("GET", "/items?category=toys&limit=2&after=i2")
            #expect(
                second.text.contains(#""id":"i4""#) && second.text.contains(#""next_after":null"#),
                "\(second.text)"
            )
            #expect(try client.request("GET", "/items?available=maybe").status == 400)
            #expect(try client.request("GET", "/items?limit=0").status == 400)
        }
        try withService(directory: directory) { client, _ in
            let item = try client.request("GET", "/items/i0")
            #expect(item.text.contains(#""price":8.5"#) && item.text.contains("Item 0") && !item.text.contains("stock"))
        }
    }

    @Test func theMemoryBoundKeepsTheLatestEventsByTimestamp() {
        let store = EventStore(recentPerUser: 3)
        let events = [5, 1, 9, 3, 7].map { Event(user: "u", item: "i\($0)", type: .view, timestamp: Int64($0)) }
        store.apply(events: events, at: RecordLog.Location(segment: 1, offset: 8))
        let (recent, total) = store.recentEvents(user: "u", limit: 10)!
        #expect(total == 5)
        #expect(recent.map(\.timestamp) == [9, 7, 5])
        #expect(recent.map(\.index) == [2, 4, 0])
    }
}
