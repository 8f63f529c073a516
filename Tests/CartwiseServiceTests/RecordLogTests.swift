import CartwiseService
import HTTPCore
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

func temporaryDirectory() -> String {
    "/tmp/cartwise-test-\(UInt64.random(in: 0...UInt64.max))"
}

private func replayAll(
    _ directory: String,
    segmentBytes: Int = 1 << 20
) throws -> ([[UInt8]], RecordLog.ReplayReport, RecordLog) {
    var records: [[UInt8]] = []
    let (log, report) = try RecordLog.open(directory: directory, segmentBytes: segmentBytes) { _, payload in
        records.append(Array(payload))
    }
    return (records, report, log)
}

@Suite struct RecordLogTests {
    @Test func appendedRecordsReplayInOrderAndReadBack() throws {
        let directory = temporaryDirectory()
        let payloads = (0..<50).map { index in [UInt8](repeating: UInt8(index), count: index * 7 + 1) }
        let (_, _, log) = try replayAll(directory)
        var locations: [RecordLog.Location] = []
        for chunk in stride(from: 0, to: 50, by: 10) {
            locations += try log.append(Array(payloads[chunk..<(chunk + 10)]))
        }
        try log.sync()
        let (replayed, report, _) = try replayAll(directory)
        #expect(replayed == payloads)
        #expect(report.records == 50)
        #expect(report.truncatedBytes == 0)
        #expect(try log.read(locations[17]) == payloads[17])
    }

    @Test func segmentsRotateAtTheSizeLimit() throws {
        let directory = temporaryDirectory()
        let (_, _, log) = try replayAll(directory, segmentBytes: 1 << 20)
        let payload = [UInt8](repeating: 7, count: 100_000)
        var locations: [RecordLog.Location] = []
        for _ in 0..<25 { locations += try log.append([payload]) }
        try log.sync()
        #expect(Set(locations.map(\.segment)).count >= 3)
        let (replayed, report, _) = try replayAll(directory)
        #expect(replayed.count == 25)
        #expect(report.segments >= 3)
        #expect(try log.read(locations[24]) == payload)
    }

    /// Without a sync per batch the writer hands each written megabyte to the kernel's writeback
    /// (`sync_file_range`); records still replay whole and in order across rotations.
    @Test func relaxedDurabilityWritesBackAsItGoesAndReplaysEverything() throws {
        let directory = temporaryDirectory()
        let (_, _, log) = try replayAll(directory, segmentBytes: 1 << 21)
        let writer = try LogWriter(log: log, durability: .none, name: "test-log", logger: Logger(label: "test"))
        let payloads = (0..<60).map { index in [UInt8](repeating: UInt8(index), count: 150_000) }
        for payload in payloads { _ = try writer.write(payload) }
        writer.stop()
        #expect(writer.syncCount >= 1)
        let (replayed, report, _) = try replayAll(directory, segmentBytes: 1 << 21)
        #expect(replayed == payloads)
        #expect(report.segments >= 4 && report.truncatedBytes == 0)
    }

    /// A crash mid-write leaves any prefix of the last record: every one of them must be cut off,
    /// keeping all the records before it, and the log must accept appends afterwards.
    @Test func tornTailIsCutAtEveryByteOffsetOfTheLastRecord() throws {
        let directory = temporaryDirectory()
        let (_, _, log) = try replayAll(directory)
        let first = [UInt8](repeating: 1, count: 40)
        let last = Array("the last record, torn by a crash".utf8)
        _ = try log.append([first, first])
        let end = try log.append([last])[0]
        try log.sync()
        let segment = directory + "/000001.log"
        let full = FileSystem.size(segment)
        let recordStart = Int(end.offset)
        let original = try FileSystem.readAll(segment)
        for cut in recordStart..<full {
            try FileSystem.writeNew(segment, Array(original[0..<cut]))
            let (replayed, report, reopened) = try replayAll(directory)
            #expect(replayed == [first, first], "cut at \(cut)")
            #expect(report.truncatedBytes == cut - recordStart, "cut at \(cut)")
            #expect(FileSystem.size(segment) == recordStart)
            _ = try reopened.append([last])
            try reopened.sync()
            let (again, _, _) = try replayAll(directory)
            #expect(again == [first, first, last])
        }
    }

    /// A flipped byte in the last record leaves it complete with a bad CRC: that is corruption of
    /// an acknowledged record, not a torn write, so the open refuses and changes nothing.
    @Test func aCorruptedLastRecordIsRefusedNotCut() throws {
        let directory = temporaryDirectory()
        let (_, _, log) = try replayAll(directory)
        _ = try log.append([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        try log.sync()
        let segment = directory + "/000001.log"
        var bytes = try FileSystem.readAll(segment)
        bytes[bytes.count - 2] ^= 0x40
        try FileSystem.writeNew(segment, bytes)
        #expect(throws: StorageError.self) { try replayAll(directory) }
        #expect(try FileSystem.readAll(segment) == bytes)
        #expect(!FileSystem.exists(directory + "/damaged"))
    }

    /// A torn tail is cut, but its bytes are kept under `damaged/`.
    @Test func aTornTailIsSavedAsideBeforeItIsCut() throws {
        let directory = temporaryDirectory()
        let (_, _, log) = try replayAll(directory)
        _ = try log.append([[1, 2, 3], Array(repeating: 9, count: 100)])
        try log.sync()
        let segment = directory + "/000001.log"
        let bytes = try FileSystem.readAll(segment)
        try FileSystem.writeNew(segment, Array(bytes[0..<(bytes.count - 30)]))
        let (replayed, report, _) = try replayAll(directory)
        #expect(replayed == [[1, 2, 3]])
        #expect(report.truncatedBytes == 78)
        #expect(
            try FileSystem.readAll(directory + "/damaged/000001.log@19.torn") == Array(bytes[19..<(bytes.count - 30)])
        )
    }

    /// A damaged segment that is not the last is refused as well (it used to be read up to the damage).
    @Test func damageInAnEarlierSegmentIsRefused() throws {
        let directory = temporaryDirectory()
        let (_, _, log) = try replayAll(directory, segmentBytes: 1 << 20)
        for _ in 0..<25 { _ = try log.append([[UInt8](repeating: 7, count: 100_000)]) }
        try log.sync()
        let first = directory + "/000001.log"
        var bytes = try FileSystem.readAll(first)
        bytes[50_000] ^= 1
        try FileSystem.writeNew(first, bytes)
        #expect(throws: StorageError.self) { try replayAll(directory, segmentBytes: 1 << 20) }
        let repairs = try LogRepair.repair(directory: directory)
        #expect(repairs.map(\.recordsKept) == [Int(bytes.count / 100_008) - 1])
        let (replayed, _, _) = try replayAll(directory, segmentBytes: 1 << 20)
        #expect(replayed.count == 24)
    }

    @Test func groupCommitSharesSyncsAcrossConcurrentWriters() throws {
        let directory = temporaryDirectory()
        let (_, _, log) = try replayAll(directory)
        let writer = try LogWriter(log: log, durability: .fsync, name: "test-log", logger: Logger(label: "test"))
        let done = Atomic<Int>(0)
        let threads = try (0..<8).map { thread in
            try NativeThreadForTests.spawn {
                for index in 0..<50 {
                    _ = try? writer.write([UInt8(thread), UInt8(index)])
                    done.add(1, ordering: .relaxed)
                }
            }
        }
        for thread in threads { thread.join() }
        writer.stop()
        #expect(done.load(ordering: .relaxed) == 400)
        // 400 acknowledged writes, each durable before its acknowledgement, in far fewer syncs.
        #expect(writer.syncCount < 400)
        let (replayed, _, _) = try replayAll(directory)
        #expect(replayed.count == 400)
        #expect(Set(replayed).count == 400)
    }

    @Test func theDataDirectoryLockIsExclusive() throws {
        let directory = temporaryDirectory()
        try FileSystem.makeDirectory(directory)
        let held = try DataDirectoryLock(directory: directory)
        #expect(throws: StorageError.locked(path: directory)) { try DataDirectoryLock(directory: directory) }
        _ = held
    }
}
