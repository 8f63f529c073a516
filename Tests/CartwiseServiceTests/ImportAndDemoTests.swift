import CartwiseService
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

private func write(_ text: String, to name: String) throws -> String {
    let path = "/tmp/cartwise-import-\(UInt64.random(in: 0...UInt64.max))-\(name)"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite struct ImportAndDemoTests {
    @Test func csvRowsBecomeEventsInBatches() throws {
        var text = "user_id,item_id,weight,timestamp\n"
        for row in 0..<25 { text += "\(row % 4),\(row),\((row % 5) + 1),\(874_724_710 + row)\n" }
        let importer = {
            var importer = EventImporter(path: try write(text, to: "ratings.csv"), now: 0)
            importer.batchSize = 10
            return importer
        }
        let reader = try importer()
        #expect(try reader.validate() == 25)
        var batches: [[Event]] = []
        try reader.run { batch, _ in batches.append(batch) }
        #expect(batches.map(\.count) == [10, 10, 5])
        let first = try #require(batches.first?.first)
        #expect(first == Event(user: "0", item: "0", type: .rating, value: 1, timestamp: 874_724_710_000))
    }

    @Test func badRowsAreReportedWithLineNumbersAndNothingIsImported() throws {
        let path = try write("user_id,item_id,weight\nu1,i1,5\nu2,,3\nu3,i3,lots\n", to: "bad.csv")
        do {
            _ = try EventImporter(path: path, now: 0).validate()
            Issue.record("accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("2 invalid rows"))
            #expect(text.contains("line 3: item_id"))
            #expect(text.contains("line 4: weight 'lots' is not a number"))
        }
        #expect(throws: ImportError.self) {
            try EventImporter(path: try write("a,b\n1,2\n", to: "nohead.csv"), now: 0).validate()
        }
    }

    @Test func aFailedOfflineImportIsRolledBack() throws {
        let directory = temporaryDirectory()
        let (log, _) = try RecordLog.open(directory: directory, segmentBytes: 1 << 20) { _, _ in }
        _ = try log.append([[1, 2, 3]])
        let mark = log.end
        var rows = "user_id,item_id,weight\n"
        for row in 0..<30_000 { rows += "u\(row),i\(row),1\n" }
        rows += "u,,1\n"
        let importer = EventImporter(path: try write(rows, to: "late-error.csv"), now: 0)
        #expect(throws: ImportError.self) {
            try importer.run { batch, _ in _ = try log.append([RecordCodec.encode(events: batch)]) }
        }
        #expect(log.end != mark)
        try log.rollback(to: mark)
        #expect(log.end == mark)
        var replayed: [[UInt8]] = []
        _ = try RecordLog.open(directory: directory, segmentBytes: 1 << 20) { _, payload in
            replayed.append(Array(payload))
        }
        #expect(replayed == [[1, 2, 3]])
    }

    /// Imports follow the API's clock rule: an event or a dated series point more than
    /// events.max_future_skew_s ahead is a bad row, and nothing is imported.
    @Test func importsRefuseTheFarFuture() throws {
        let now = Int64(20_000) * 86_400_000
        var events = EventImporter(
            path: try write(
                "user_id,item_id,weight,timestamp\nu1,i1,5,1700000000\nu2,i2,3,4070908800\n",
                to: "late.csv"
            ),
            now: now
        )
        events.maxFutureSkew = 86_400_000
        #expect(throws: ImportError.self) { try events.validate() }
        var series = SeriesImporter(
            path: try write("series_id,timestamp,value\na,2024-01-01,1\na,2099-01-01,2\n", to: "series.csv"),
            frequency: .day,
            seasonLength: nil
        )
        series.latestDay = 20_001
        do {
            try series.run { _, _, _ in Issue.record("handed over a batch") }
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("2099-01-01"), "\(error)")
        }
        series.latestDay = nil
        #expect(try series.run { _, _, _ in }.points == 2)
    }

    @Test func csvFieldsParseNumbersFromBytes() {
        let line = Array(" 42 ,-3.25,1e3,,\"a,b\"".utf8)
        line.withUnsafeBufferPointer { bytes in
            let plain = CSVRow.fields(UnsafeBufferPointer(rebasing: bytes[0..<14]))
            #expect(plain.number(0) == 42)
            #expect(plain.number(1) == -3.25)
            #expect(plain.number(2) == 1000)
            #expect(!plain.isPresent(3))
            let quoted = CSVRow.fields(bytes)
            #expect(quoted.text(4) == "a,b")
            #expect(quoted.number(0) == 42)
        }
    }

    @Test func ndjsonImportUsesTheAPIRules() throws {
        let path = try write(
            #"{"user":"u","item":"i","type":"click"}"# + "\n" + #"{"user":"u","item":"i","type":"nope"}"# + "\n",
            to: "e.ndjson"
        )
        do {
            _ = try EventImporter(path: path, now: 0).validate()
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("line 2: type must be one of"))
        }
    }

    @Test func theDemoIsDeterministicAndShapedLikeAStore() {
        var options = DemoStore.Options()
        options.users = 300
        options.items = 200
        options.days = 365
        options.salesItems = 30
        let first = DemoStore(options: options)
        let second = DemoStore(options: options)
        // Compared as one Bool: a failed comparison of 40,000 events would print them all.
        let sameEvents = first.events == second.events
        let sameOrders = first.orders == second.orders
        #expect(sameEvents && sameOrders)
        #expect(first.items == second.items)
        #expect(first.items.count == 200)
        let types = Dictionary(grouping: first.events, by: \.type).mapValues(\.count)
        // The funnel narrows: impressions > clicks > carts, and there are purchases and orders.
        #expect(types[.impression]! > types[.click]! && types[.click]! > types[.addToCart]!)
        #expect(types[.purchase]! > 1000)
        #expect(Set(first.items.flatMap(\.categories)).count == 12)
        let fraud = first.orders.filter(\.fraud).count
        #expect(fraud > 0 && Double(fraud) / Double(first.orders.count) < 0.05)
        // Weekends sell more than weekdays for the daily-sales SKUs.
        let store = first.events.filter { $0.type == .purchase && $0.context.first?.name == "channel" }
        var weekend = 0.0
        var weekday = 0.0
        for event in store {
            let day = Timestamp.day(event.timestamp)
            if (day + 4) % 7 == 0 || (day + 4) % 7 == 6 { weekend += event.value } else { weekday += event.value }
        }
        #expect(weekend / 2 > weekday / 5)
        // Ends on the configured day, so the output does not depend on the clock.
        #expect(Timestamp.day(first.events.last!.timestamp) <= options.endDay)
        // Some purchases come back, each after its purchase.
        let returns = first.events.filter { $0.type == .returned }
        #expect(returns.count > 20 && returns.count < types[.purchase]! / 10)
        let bought = Dictionary(
            first.events.filter { $0.type == .purchase }.map { ($0.orderID! + $0.item, $0.timestamp) },
            uniquingKeysWith: min
        )
        #expect(returns.allSatisfy { (bought[$0.orderID! + $0.item] ?? .max) < $0.timestamp })
        var other = options
        other.seed = 7
        let otherEvents = DemoStore(options: other).events
        let differs = otherEvents != first.events
        #expect(differs)
    }
}
