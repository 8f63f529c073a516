import CartwiseService
import HTTPCore
import Logging
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// SplitMix64, so the corrupted offsets are the same on every run.
private struct Mix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Payloads shaped like the real ones: binary batches with small integers and zeros, and JSON.
private func payloads(count: Int, seed: UInt64) -> [[UInt8]] {
    var mix = Mix(state: seed)
    return (0..<count).map { index in
        if index % 3 == 0 {
            return Array(
                #"{"order_id":"o-\#(index)","label":"fraud","source":"chargeback","at":\#(mix.below(1 << 30))}"#.utf8
            )
        }
        let length = 1 + mix.below(index % 7 == 0 ? 600 : 120)
        return (0..<length).map { position in position % 5 == 0 ? 0 : UInt8(truncatingIfNeeded: mix.next()) }
    }
}

/// Every file under `directory` with its bytes, to prove a refused start changed nothing.
private func contents(_ directory: String, prefix: String = "") throws -> [String: [UInt8]] {
    var files: [String: [UInt8]] = [:]
    for name in try FileSystem.list(directory) {
        let path = directory + "/" + name
        if let nested = try? contents(path, prefix: prefix + name + "/") {
            files[prefix + name + "/"] = []
            files.merge(nested) { first, _ in first }
        } else {
            files[prefix + name] = try FileSystem.readAll(path)
        }
    }
    return files
}

/// A one-loop service on `directory` whose logger only reports what stops it.
private func quietService(_ directory: String) throws -> (ServiceConfiguration, Logger) {
    let configuration = try ConfigurationLoader(
        flags: [("server.port", "0"), ("server.threads", "1"), ("data_dir", directory)]
    ).load()
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return (configuration, logger)
}

@Suite struct LogCorruptionTests {
    /// 10,000 records; one byte flipped at every record boundary (the first byte of each length
    /// field), in every byte of the segment header, at the CRC and last byte of the last record, and
    /// at 300 random offsets. Each time the scan calls it damage (never a torn tail), and salvage
    /// keeps every record the flip did not touch.
    @Test func everySingleByteFlipIsDamageAndSalvageKeepsEveryUntouchedRecord() throws {
        let records = payloads(count: 10_000, seed: 7)
        var segment = RecordLog.magic
        var starts: [Int] = []
        for payload in records {
            starts.append(segment.count)
            withUnsafeBytes(of: UInt32(payload.count).littleEndian) { segment.append(contentsOf: $0) }
            withUnsafeBytes(of: payload.withUnsafeBytes { CRC32.checksum($0) }.littleEndian) {
                segment.append(contentsOf: $0)
            }
            segment.append(contentsOf: payload)
        }
        var mix = Mix(state: 99)
        var offsets = starts + Array(0..<RecordLog.headerBytes)
        offsets += [starts.last! + 4, segment.count - 1]
        offsets += (0..<300).map { _ in mix.below(segment.count) }
        var failures = 0
        for offset in offsets {
            var bytes = segment
            bytes[offset] ^= UInt8(1 + mix.below(255))
            let (scan, salvaged) = bytes.withUnsafeBytes {
                (SegmentScan.scan($0, path: "000001.log", isLast: true), SegmentScan.salvage($0))
            }
            // The record the flip hit (if any) is the one whose header or payload holds the offset;
            // salvage keeps the others at their offsets, so their starts say which survived.
            let hit = starts.lastIndex { $0 <= offset }
            let expected = hit.map { Array(starts[..<$0] + starts[($0 + 1)...]) } ?? starts
            guard case .damaged(let damage) = scan.ending, salvaged.spans.map(\.offset) == expected else {
                failures += 1
                Issue.record("flip at \(offset): \(scan.ending), kept \(salvaged.spans.count) of \(expected.count)")
                continue
            }
            if damage.offset != (hit.map { starts[$0] } ?? 0) {
                failures += 1
                Issue.record("flip at \(offset) reported at \(damage.offset)")
            }
            if failures > 5 { break }
        }
    }

    @Test func aTruncationAtEveryOffsetOfTheLastRecordIsATornTail() throws {
        let records = payloads(count: 20, seed: 3)
        var segment = RecordLog.magic
        var lastStart = 0
        for payload in records {
            lastStart = segment.count
            withUnsafeBytes(of: UInt32(payload.count).littleEndian) { segment.append(contentsOf: $0) }
            withUnsafeBytes(of: payload.withUnsafeBytes { CRC32.checksum($0) }.littleEndian) {
                segment.append(contentsOf: $0)
            }
            segment.append(contentsOf: payload)
        }
        for cut in (lastStart + 1)..<segment.count {
            let scan = Array(segment[0..<cut]).withUnsafeBytes { SegmentScan.scan($0, path: "x", isLast: true) }
            #expect(scan.ending == .tornTail(offset: lastStart), "cut at \(cut)")
            #expect(scan.spans.count == records.count - 1)
            // The same bytes in a segment that is not the last are damage: rotation syncs first.
            let earlier = Array(segment[0..<cut]).withUnsafeBytes { SegmentScan.scan($0, path: "x", isLast: false) }
            if case .damaged = earlier.ending {
            } else {
                Issue.record("cut at \(cut) in an earlier segment: \(earlier.ending)")
            }
        }
    }

    /// Through the real start-up: a tiny demo store plus a decision, a label and a series, then one
    /// byte flipped in each log in turn. Start-up refuses, naming the file and offset, and leaves
    /// every byte of the data directory as it was; `LogRepair` then salvages the log and the
    /// service starts with one record fewer in that log.
    @Test(arguments: ServiceStorage.logNames)
    func startUpRefusesADamagedLogAndRepairSalvagesIt(log: String) throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (configuration, logger) = try quietService(directory)
        var demo = DemoStore.Options()
        demo.users = 40
        demo.items = 30
        demo.days = 40
        demo.salesItems = 5
        do {
            let application = try Application.start(configuration: configuration, logger: logger, demo: demo)
            defer { application.shutdown() }
            let client = try BlockingHTTPClient(port: application.server.port)
            let json = [("Content-Type", "application/json")]
            for index in 0..<3 {
                let order = #"{"order_id":"o-\#(index)","user":"user-00001","amount":\#(10 + index)}"#
                #expect(
                    try client.request("POST", "/score-order", headers: json, body: Array(order.utf8)).status == 200
                )
                let label = #"{"order_id":"o-\#(index)","label":"legit","source":"manual_review"}"#
                #expect(try client.request("POST", "/labels", headers: json, body: Array(label.utf8)).status < 300)
                let series =
                    #"{"id":"s\#(index)","frequency":"month","points":[{"t":"2025-01-01","value":4},{"t":"2025-02-01","value":5}]}"#
                #expect(try client.request("POST", "/series", headers: json, body: Array(series.utf8)).status < 300)
                let events = #"{"events":[{"user":"u\#(index)","item":"new-\#(index)","type":"view"}]}"#
                #expect(try client.request("POST", "/events", headers: json, body: Array(events.utf8)).status == 200)
                let items = #"{"items":[{"id":"new-\#(index)","title":"Kettle","price":3}]}"#
                #expect(try client.request("POST", "/items", headers: json, body: Array(items.utf8)).status == 200)
                let entry = #"{"list":"block","kind":"card","value":"card-\#(index)"}"#
                #expect(try client.request("POST", "/risk/lists", headers: json, body: Array(entry.utf8)).status == 201)
                #expect(try client.request("DELETE", "/users/gone-\(index)").status == 200)
                let campaign = #"{"id":"c-\#(index)","control_share":0.2}"#
                #expect(
                    try client.request("POST", "/campaigns", headers: json, body: Array(campaign.utf8)).status == 201
                )
            }
        }
        // A clean start rewrites the logs for the erasures; the damage below meets settled logs.
        try Application.start(configuration: configuration, logger: logger).shutdown()
        let path = directory + "/" + log + "/000001.log"
        var records = 0
        try RecordLog.read(directory: directory + "/" + log) { _, _ in records += 1 }
        // The orders log is written by imports only: the demo's one batch.
        #expect(records >= (log == "orders" ? 1 : 3), "\(log) holds \(records) records")
        var bytes = try FileSystem.readAll(path)
        let spans = bytes.withUnsafeBytes { SegmentScan.scan($0, path: path, isLast: true).spans }
        try everyFlipIsRefusedThenRepaired(log: directory + "/" + log, path: path, original: bytes, spans: spans)
        // A byte in the middle of the first record's payload: everything after it was acknowledged.
        let target = spans[0].payload.lowerBound + spans[0].length / 2
        bytes[target] ^= 0x5A
        try FileSystem.writeNew(path, bytes)
        let before = try contents(directory)

        do {
            _ = try Application.start(configuration: configuration, logger: logger)
            Issue.record("\(log): a damaged log started")
        } catch let error as StorageError {
            guard case .damaged(let damage) = error else { throw error }
            #expect(damage.path == path)
            #expect(damage.offset == spans[0].offset)
            #expect(damage.intactRecordsAfter == spans.count - 1)
            #expect("\(error)".contains("cartwise repair"))
        }
        #expect(try contents(directory) == before, "\(log): a refused start changed the data directory")
        #expect(throws: StorageError.self) { try RecordLog.read(directory: directory + "/" + log) { _, _ in } }

        let repairs = try LogRepair.repair(directory: directory + "/" + log)
        #expect(repairs.count == 1 && repairs[0].recordsKept == spans.count - 1)
        let aside = try FileSystem.readAll(repairs[0].savedTo[0])
        #expect(aside == Array(bytes[spans[0].offset..<spans[0].end]))
        var after = 0
        try RecordLog.read(directory: directory + "/" + log) { _, _ in after += 1 }
        #expect(after == records - 1)
        let application = try Application.start(configuration: configuration, logger: logger)
        application.shutdown()
    }

    /// The salt of the audit trail's email and IP hashes is data too: losing or damaging it
    /// must stop start-up rather than silently start a new, unlinked hash space.
    @Test func aMissingOrDamagedSaltStopsStartUpOnceTheAuditTrailUsesIt() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (configuration, logger) = try quietService(directory)
        do {
            let application = try Application.start(configuration: configuration, logger: logger)
            defer { application.shutdown() }
            let client = try BlockingHTTPClient(port: application.server.port)
            let order = Array(#"{"order_id":"o-1","amount":10,"email":"a@b.example"}"#.utf8)
            let scored = try client.request(
                "POST",
                "/score-order",
                headers: [("Content-Type", "application/json")],
                body: order
            )
            #expect(scored.status == 200)
        }
        let salt = try FileSystem.readAll(directory + "/risk.salt")
        try FileSystem.remove(directory + "/risk.salt")
        #expect(throws: (any Error).self) { try Application.start(configuration: configuration, logger: logger) }
        #expect(!FileSystem.exists(directory + "/risk.salt"))
        try FileSystem.writeNew(directory + "/risk.salt", Array(salt[0..<5]))
        #expect(throws: (any Error).self) { try Application.start(configuration: configuration, logger: logger) }
        try FileSystem.writeNew(directory + "/risk.salt", salt)
        try Application.start(configuration: configuration, logger: logger).shutdown()
    }

    /// This log's real segment, one byte flipped at each record boundary, in the header, and at 20
    /// random offsets: opening refuses and leaves the file as it was, and a repair keeps every
    /// record the flip did not touch. The segment is put back afterwards.
    private func everyFlipIsRefusedThenRepaired(
        log: String,
        path: String,
        original: [UInt8],
        spans: [SegmentScan.Span]
    ) throws {
        var mix = Mix(state: UInt64(original.count))
        let offsets = spans.map(\.offset) + [0, 7] + (0..<20).map { _ in mix.below(original.count) }
        for offset in offsets {
            var bytes = original
            bytes[offset] ^= UInt8(1 + mix.below(255))
            try FileSystem.writeNew(path, bytes)
            #expect(throws: StorageError.self, "\(path) flipped at \(offset)") {
                try RecordLog.open(directory: log, segmentBytes: 1 << 26) { _, _ in }
            }
            #expect(try FileSystem.readAll(path) == bytes, "\(path) flipped at \(offset) was changed")
            let hit = spans.lastIndex { $0.offset <= offset }
            let repairs = try LogRepair.repair(directory: log)
            #expect(repairs.first?.recordsKept == spans.count - (hit == nil ? 0 : 1), "\(path) at \(offset)")
            var kept: [[UInt8]] = []
            try RecordLog.read(directory: log) { _, payload in kept.append(Array(payload)) }
            let expected = spans.indices.filter { $0 != hit }.map { Array(original[spans[$0].payload]) }
            #expect(kept == expected, "\(path) flipped at \(offset)")
            try? FileManager.default.removeItem(atPath: log + "/damaged")
        }
        try FileSystem.writeNew(path, original)
    }
}
