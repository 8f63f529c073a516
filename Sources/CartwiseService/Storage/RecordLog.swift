import CLinux
import CZlib
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An append-only log of records in numbered segment files (`000001.log`, ...).
///
/// Each segment starts with an 8-byte magic; each record is `length (u32 LE) | crc32 (u32 LE) |
/// payload`, the CRC being zlib's over the payload. A crash can leave an incomplete record at the
/// end of the last segment: ``open(directory:segmentBytes:replay:)`` cuts it off (saving it aside)
/// and keeps everything before it. Any other damage is corruption of acknowledged data and stops
/// the open with nothing changed (``SegmentScan``); ``LogRepair`` salvages such a log. Writes come from one thread (the
/// ``LogWriter``); the `Mutex` makes that safe to state to the compiler, and is never contended.
package final class RecordLog: Sendable {
    /// Where a record starts.
    package struct Location: Sendable, Hashable, Comparable {
        package var segment: UInt32
        package var offset: UInt32

        package static func < (lhs: Location, rhs: Location) -> Bool {
            (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
        }

        package init(segment: UInt32, offset: UInt32) {
            self.segment = segment
            self.offset = offset
        }
    }

    /// What opening the log found.
    package struct ReplayReport: Sendable {
        package var segments = 0
        package var records = 0
        package var bytes = 0
        /// Bytes of an incomplete last record (a torn write): cut by ``open(directory:segmentBytes:replay:)``
        /// after saving them under `damaged/`, skipped by ``read(directory:replay:)``.
        package var truncatedBytes = 0
    }

    package static let magic: [UInt8] = Array("CWLOG\u{0}\u{1}\u{0}".utf8)
    package static let headerBytes = 8
    /// Records larger than this are taken for garbage in the length field.
    package static let maxRecordBytes = 256 << 20

    private struct State {
        var fd: Int32
        var segment: UInt32
        var size: Int
        var failure: StorageError?
        /// Where the range not yet handed to writeback starts (``startWriteback(atLeast:)``).
        var writebackFrom = RecordLog.headerBytes
    }

    package let directory: String
    package let segmentBytes: Int
    private let state: Mutex<State>

    private init(directory: String, segmentBytes: Int, state: State) {
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.state = Mutex(state)
    }

    deinit {
        state.withLock { _ = close($0.fd) }
    }

    /// Opens (or creates) the log, calling `replay` for every record in order.
    ///
    /// Each segment is read once: scanned, then replayed from the same bytes. A torn tail (an
    /// incomplete last record with nothing intact after it) is saved under `damaged/` and cut off;
    /// any other damage throws ``StorageError/damaged(_:)``. Only the last segment can be cut, and
    /// it is scanned last, so a damaged log throws with every file as it was (records replayed
    /// before the damage only reached memory, which the failed start discards).
    /// - Throws: ``StorageError`` when the log is damaged or a file cannot be read or written.
    package static func open(
        directory: String,
        segmentBytes: Int,
        replay: (Location, UnsafeRawBufferPointer) throws -> Void
    ) throws -> (RecordLog, ReplayReport) {
        try FileSystem.makeDirectory(directory)
        let numbers = try segments(directory)
        var report = ReplayReport()
        var lastSize = headerBytes
        for (position, segment) in numbers.enumerated() {
            let path = self.path(directory, segment)
            let bytes = try FileSystem.readAll(path)
            let scan = bytes.withUnsafeBytes { SegmentScan.scan($0, path: path, isLast: position == numbers.count - 1) }
            switch scan.ending {
            case .damaged(let damage):
                throw StorageError.damaged(damage)
            case .tornTail(let offset):
                try FileSystem.makeDirectory(DataLayout.damaged(inLog: directory))
                try FileSystem.writeNew(
                    DataLayout.damaged(inLog: directory) + "/" + segmentName(segment) + "@\(offset).torn",
                    Array(bytes[offset...])
                )
                try FileSystem.syncDirectory(DataLayout.damaged(inLog: directory))
                report.truncatedBytes = bytes.count - offset
                if offset < headerBytes {
                    try FileSystem.writeNew(path, magic)
                } else {
                    try FileSystem.truncate(path, to: offset)
                }
            case .clean:
                break
            }
            try replaySpans(scan.spans, of: segment, in: bytes, report: &report, replay: replay)
            lastSize = scan.spans.last?.end ?? headerBytes
        }
        let segment = numbers.last ?? 1
        if numbers.isEmpty {
            try FileSystem.writeNew(path(directory, segment), magic)
            try FileSystem.syncDirectory(directory)
        } else if lastSize == headerBytes, FileSystem.size(path(directory, segment)) == 0 {
            // A crash between creating a segment and writing its header.
            try FileSystem.writeNew(path(directory, segment), magic)
        }
        let fd = Glibc.open(path(directory, segment), O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError.io(operation: "open", path: path(directory, segment), errno: errno) }
        let log = RecordLog(
            directory: directory,
            segmentBytes: segmentBytes,
            state: State(fd: fd, segment: segment, size: lastSize, failure: nil)
        )
        return (log, report)
    }

    /// Reads the log without changing anything (export, audits): a missing log is empty, a torn
    /// tail is skipped, and damage throws before any record is replayed.
    /// - Throws: ``StorageError``.
    @discardableResult
    package static func read(
        directory: String,
        replay: (Location, UnsafeRawBufferPointer) throws -> Void
    ) throws -> ReplayReport {
        var report = ReplayReport()
        guard FileSystem.exists(directory) else { return report }
        for checked in try verify(directory: directory) {
            let bytes = try FileSystem.readAll(path(directory, checked.segment))
            if case .tornTail(let offset) = checked.scan.ending { report.truncatedBytes = bytes.count - offset }
            try replaySpans(checked.scan.spans, of: checked.segment, in: bytes, report: &report, replay: replay)
        }
        return report
    }

    /// A segment and what its scan found.
    package struct CheckedSegment: Sendable {
        package var segment: UInt32
        package var scan: SegmentScan
    }

    /// Scans every segment in order.
    /// - Throws: ``StorageError/damaged(_:)`` for the first damage that is not a torn tail.
    package static func verify(directory: String) throws -> [CheckedSegment] {
        guard FileSystem.exists(directory) else { return [] }
        let numbers = try segments(directory)
        var checked: [CheckedSegment] = []
        for (position, segment) in numbers.enumerated() {
            let path = self.path(directory, segment)
            let bytes = try FileSystem.readAll(path)
            let scan = bytes.withUnsafeBytes {
                SegmentScan.scan($0, path: path, isLast: position == numbers.count - 1)
            }
            if case .damaged(let damage) = scan.ending { throw StorageError.damaged(damage) }
            checked.append(CheckedSegment(segment: segment, scan: scan))
        }
        return checked
    }

    /// The segment numbers in the directory, in order.
    package static func segments(_ directory: String) throws(StorageError) -> [UInt32] {
        try FileSystem.list(directory).compactMap { name -> UInt32? in
            guard name.hasSuffix(".log"), name.count == 10 else { return nil }
            return UInt32(name.prefix(6))
        }.sorted()
    }

    private static func replaySpans(
        _ spans: [SegmentScan.Span],
        of segment: UInt32,
        in bytes: [UInt8],
        report: inout ReplayReport,
        replay: (Location, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        report.segments += 1
        try bytes.withUnsafeBytes { raw in
            for span in spans {
                try replay(
                    Location(segment: segment, offset: UInt32(span.offset)),
                    UnsafeRawBufferPointer(rebasing: raw[span.payload])
                )
                report.records += 1
                report.bytes += 8 + span.length
            }
        }
    }

    package static func segmentName(_ segment: UInt32) -> String {
        let digits = String(segment)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".log"
    }

    static func path(_ directory: String, _ segment: UInt32) -> String {
        directory + "/" + segmentName(segment)
    }

    /// Appends `payloads` in one write (not yet durable: see ``sync()``).
    ///
    /// On a failed write the segment is cut back to where it was, so a later append never follows
    /// half a record; if even that fails the log refuses further writes.
    /// - Returns: each record's location.
    /// - Throws: ``StorageError``.
    package func append(_ payloads: [[UInt8]]) throws(StorageError) -> [Location] {
        try state.withLock { (state) throws(StorageError) -> [Location] in
            if let failure = state.failure { throw failure }
            let total = payloads.reduce(0) { $0 + 8 + $1.count }
            if state.size + total > segmentBytes && state.size > Self.headerBytes {
                try rotate(&state)
            }
            var buffer: [UInt8] = []
            buffer.reserveCapacity(total)
            var locations: [Location] = []
            for payload in payloads {
                locations.append(Location(segment: state.segment, offset: UInt32(state.size + buffer.count)))
                withUnsafeBytes(of: UInt32(payload.count).littleEndian) { buffer.append(contentsOf: $0) }
                let crc = payload.withUnsafeBytes { CRC32.checksum($0) }
                withUnsafeBytes(of: crc.littleEndian) { buffer.append(contentsOf: $0) }
                buffer.append(contentsOf: payload)
            }
            var written = 0
            while written < buffer.count {
                let count = buffer.withUnsafeBytes { raw in
                    pwrite(state.fd, raw.baseAddress! + written, raw.count - written, off_t(state.size + written))
                }
                if count < 0 {
                    if errno == EINTR { continue }
                    let error = StorageError.io(
                        operation: "write",
                        path: Self.path(directory, state.segment),
                        errno: errno
                    )
                    if ftruncate(state.fd, off_t(state.size)) != 0 { state.failure = error }
                    throw error
                }
                written += count
            }
            state.size += buffer.count
            return locations
        }
    }

    /// Starts the kernel writing back what was appended since the last call, once that is at
    /// least `bytes`, without waiting for it (`sync_file_range`). A log that is not synced per
    /// batch otherwise reaches rotation with a whole segment dirty, and rotation's `fdatasync`
    /// then held the writer, and every answer waiting on it, for 20-40 ms.
    package func startWriteback(atLeast bytes: Int) {
        state.withLock { state in
            let pending = state.size - state.writebackFrom
            guard pending >= bytes, pending > 0 else { return }
            _ = cartwise_start_writeback(state.fd, state.writebackFrom, pending)
            state.writebackFrom = state.size
        }
    }

    /// Makes everything appended so far durable (`fdatasync`).
    /// - Throws: ``StorageError``; after a failed sync the log refuses further writes, because
    ///   the kernel may have dropped the dirty pages (the "fsyncgate" lesson).
    package func sync() throws(StorageError) {
        try state.withLock { (state) throws(StorageError) in
            if let failure = state.failure { throw failure }
            guard fdatasync(state.fd) == 0 else {
                let error = StorageError.io(
                    operation: "fdatasync",
                    path: Self.path(directory, state.segment),
                    errno: errno
                )
                state.failure = error
                throw error
            }
        }
    }

    private func rotate(_ state: inout State) throws(StorageError) {
        let old = Self.path(directory, state.segment)
        guard fdatasync(state.fd) == 0 else { throw .io(operation: "fdatasync", path: old, errno: errno) }
        close(state.fd)
        let next = state.segment + 1
        let path = Self.path(directory, next)
        try FileSystem.writeNew(path, Self.magic)
        try FileSystem.syncDirectory(directory)
        let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            state.failure = .io(operation: "open", path: path, errno: errno)
            throw state.failure!
        }
        state = State(fd: fd, segment: next, size: Self.headerBytes, failure: nil)
    }

    /// Where the log ends now; ``rollback(to:)`` returns to it.
    package var end: Location {
        state.withLock { Location(segment: $0.segment, offset: UInt32($0.size)) }
    }

    /// Removes everything appended after `mark` (an offline import that met a bad row), including
    /// any segments it opened, and makes the cut durable.
    /// - Throws: ``StorageError``.
    package func rollback(to mark: Location) throws(StorageError) {
        try state.withLock { (state) throws(StorageError) in
            if state.segment != mark.segment {
                close(state.fd)
                for segment in (mark.segment + 1)...state.segment {
                    unlink(Self.path(directory, segment))
                }
                let path = Self.path(directory, mark.segment)
                let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else {
                    state.failure = .io(operation: "open", path: path, errno: errno)
                    throw state.failure!
                }
                state.fd = fd
                state.segment = mark.segment
            }
            guard ftruncate(state.fd, off_t(mark.offset)) == 0, fdatasync(state.fd) == 0 else {
                throw .io(operation: "truncate", path: Self.path(directory, state.segment), errno: errno)
            }
            state.size = Int(mark.offset)
            state.writebackFrom = min(state.writebackFrom, state.size)
            try FileSystem.syncDirectory(directory)
        }
    }

    /// Reads one record back (any thread).
    /// - Throws: ``StorageError`` if it cannot be read or fails its CRC.
    package func read(_ location: Location) throws(StorageError) -> [UInt8] {
        let path = Self.path(directory, location.segment)
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 8)
        guard pread(fd, &header, 8, off_t(location.offset)) == 8 else {
            throw .corrupt(path: path, offset: Int(location.offset), reason: "short record header")
        }
        let length = Int(header.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) })
        let expected = header.withUnsafeBytes {
            UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        }
        guard length <= Self.maxRecordBytes else {
            throw .corrupt(path: path, offset: Int(location.offset), reason: "impossible length")
        }
        var payload = [UInt8](repeating: 0, count: length)
        let count = payload.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(location.offset) + 8) }
        guard count == length, payload.withUnsafeBytes({ CRC32.checksum($0) }) == expected else {
            throw .corrupt(path: path, offset: Int(location.offset), reason: "short record or CRC mismatch")
        }
        return payload
    }

    /// Bytes in the log's segments on disk.
    package var diskBytes: Int {
        (try? FileSystem.list(directory).filter { $0.hasSuffix(".log") }.reduce(0) { total, name in
            total + FileSystem.size(directory + "/" + name)
        }) ?? 0
    }
}

/// zlib's CRC32 (the IEEE polynomial, as in gzip and PNG).
package enum CRC32 {
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(crc32(0, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(bytes.count)))
    }
}
