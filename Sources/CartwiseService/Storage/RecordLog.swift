import CLinux
import CZlib
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An append-only log of records in numbered segment files (`000001.log`, ...).
///
/// Each segment starts with an 8-byte magic; each record is `length (u32 LE) | crc32 (u32 LE) |
/// payload`, the CRC being zlib's over the payload. A crash can leave a torn or half-written
/// record at the end of the last segment: ``open(directory:segmentBytes:replay:)`` detects it by its
/// length or CRC, cuts it off, and keeps everything before it. Writes come from one thread (the
/// ``LogWriter``); the `Mutex` makes that safe to state to the compiler, and is never contended.
package final class RecordLog: Sendable {
    /// Where a record starts.
    package struct Location: Sendable, Hashable {
        package var segment: UInt32
        package var offset: UInt32

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
        /// Bytes cut from the end of the last segment (a torn write).
        package var truncatedBytes = 0
        /// Segments that are corrupt before their end (not the last one): read up to the damage.
        package var damaged: [String] = []
    }

    package static let magic: [UInt8] = Array("CWLOG\u{0}\u{1}\u{0}".utf8)
    static let headerBytes = 8
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

    /// Opens (or creates) the log, calling `replay` for every intact record in order.
    /// - Throws: ``StorageError`` when the directory or a file cannot be read or written.
    package static func open(
        directory: String,
        segmentBytes: Int,
        replay: (Location, UnsafeRawBufferPointer) throws -> Void
    ) throws -> (RecordLog, ReplayReport) {
        try FileSystem.makeDirectory(directory)
        var report = ReplayReport()
        let segments = try FileSystem.list(directory).compactMap { name -> UInt32? in
            guard name.hasSuffix(".log"), name.count == 10 else { return nil }
            return UInt32(name.prefix(6))
        }.sorted()
        var lastSize = headerBytes
        for (position, segment) in segments.enumerated() {
            let path = self.path(directory, segment)
            let isLast = position == segments.count - 1
            let bytes = try FileSystem.readAll(path)
            report.segments += 1
            var offset = headerBytes
            var damage: String?
            if bytes.count < headerBytes || Array(bytes[0..<headerBytes]) != magic {
                damage = bytes.count < headerBytes ? "shorter than its header" : "bad magic"
                offset = 0
            }
            while damage == nil && offset < bytes.count {
                guard offset + 8 <= bytes.count else {
                    damage = "torn record header"
                    break
                }
                let length = Int(
                    bytes.withUnsafeBytes {
                        UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                    }
                )
                let expected = bytes.withUnsafeBytes {
                    UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                }
                guard length <= maxRecordBytes, offset + 8 + length <= bytes.count else {
                    damage = "torn record (length \(length))"
                    break
                }
                let ok = try bytes.withUnsafeBytes { raw -> Bool in
                    let payload = UnsafeRawBufferPointer(rebasing: raw[(offset + 8)..<(offset + 8 + length)])
                    guard CRC32.checksum(payload) == expected else { return false }
                    try replay(Location(segment: segment, offset: UInt32(offset)), payload)
                    return true
                }
                guard ok else {
                    damage = "CRC mismatch"
                    break
                }
                report.records += 1
                report.bytes += 8 + length
                offset += 8 + length
            }
            if let damage {
                if isLast {
                    report.truncatedBytes = bytes.count - offset
                    if offset < headerBytes {
                        try FileSystem.writeNew(path, magic)
                        offset = headerBytes
                    } else {
                        try FileSystem.truncate(path, to: offset)
                    }
                } else {
                    report.damaged.append("\(path): \(damage) at byte \(offset)")
                }
            }
            if isLast { lastSize = offset }
        }
        let segment = segments.last ?? 1
        if segments.isEmpty {
            try FileSystem.writeNew(path(directory, segment), magic)
            try FileSystem.syncDirectory(directory)
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

    static func path(_ directory: String, _ segment: UInt32) -> String {
        let digits = String(segment)
        return directory + "/" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".log"
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
