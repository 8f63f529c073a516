/// What one log segment's bytes hold, read without changing them.
///
/// Recovery has to tell two kinds of damage apart. A crash during a write leaves an *incomplete*
/// last record with nothing after it (a torn tail): it was never acknowledged and may be cut.
/// Anything else (a record that is complete but fails its CRC, a bad segment header, or a bad
/// record with intact records after it) is corruption of data that was acknowledged, and cutting
/// there would delete every later record. The scan therefore looks past the first bad byte for the
/// next intact record before it calls anything a torn tail.
package struct SegmentScan: Sendable {
    /// An intact record: where its 8-byte header starts and how long its payload is.
    package struct Span: Sendable, Equatable {
        package var offset: Int
        package var length: Int

        package var payload: Range<Int> { (offset + 8)..<(offset + 8 + length) }
        package var end: Int { offset + 8 + length }
    }

    package enum Ending: Sendable, Equatable {
        case clean
        /// An incomplete last record starting here, with nothing intact after it.
        case tornTail(offset: Int)
        case damaged(LogDamage)
    }

    /// The intact records before the first damage, in order.
    package var spans: [Span]
    package var ending: Ending

    /// Scans `bytes` (the whole segment at `path`); `isLast` says whether a torn tail is possible.
    package static func scan(_ bytes: UnsafeRawBufferPointer, path: String, isLast: Bool) -> SegmentScan {
        let magic = RecordLog.magic
        let headerBytes = RecordLog.headerBytes
        if !hasHeader(bytes) {
            // Rotation writes the header in one write before anything else: a crash during it
            // leaves a prefix of the magic and nothing more.
            if isLast && bytes.count < headerBytes && bytes.elementsEqual(magic.prefix(bytes.count)) {
                return SegmentScan(spans: [], ending: bytes.isEmpty ? .clean : .tornTail(offset: 0))
            }
            let reason = bytes.count < headerBytes ? "segment shorter than its header" : "bad segment header"
            return SegmentScan(spans: [], ending: .damaged(damage(bytes, path: path, at: 0, reason: reason)))
        }
        var spans: [Span] = []
        var offset = headerBytes
        while offset < bytes.count {
            let reason: String
            switch record(bytes, at: offset) {
            case .intact(let length):
                spans.append(Span(offset: offset, length: length))
                offset += 8 + length
                continue
            case .incomplete(let why):
                if isLast && nextIntactRecord(bytes, after: offset) == nil && !lengthByteRepairs(bytes, at: offset) {
                    return SegmentScan(spans: spans, ending: .tornTail(offset: offset))
                }
                reason = why
            case .bad(let why):
                reason = why
            }
            return SegmentScan(spans: spans, ending: .damaged(damage(bytes, path: path, at: offset, reason: reason)))
        }
        return SegmentScan(spans: spans, ending: .clean)
    }

    /// Every intact record of a damaged segment, found by resynchronising on the record framing
    /// after each bad stretch, and the bad stretches themselves (a bad header included).
    package static func salvage(_ bytes: UnsafeRawBufferPointer) -> (spans: [Span], damaged: [Range<Int>]) {
        guard !hasHeader(bytes) else { return walk(bytes, from: RecordLog.headerBytes) }
        let next = nextIntactRecord(bytes, after: 0) ?? bytes.count
        let rest = walk(bytes, from: next)
        return (rest.spans, (next > 0 ? [0..<next] : []) + rest.damaged)
    }

    private static func hasHeader(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= RecordLog.headerBytes && bytes.prefix(RecordLog.headerBytes).elementsEqual(RecordLog.magic)
    }

    /// The records from `start` on, resynchronising on the framing after each bad stretch.
    private static func walk(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (spans: [Span], damaged: [Range<Int>])
    {
        var spans: [Span] = []
        var damaged: [Range<Int>] = []
        var offset = start
        while offset < bytes.count {
            if case .intact(let length) = record(bytes, at: offset) {
                spans.append(Span(offset: offset, length: length))
                offset += 8 + length
            } else {
                let next = nextIntactRecord(bytes, after: offset) ?? bytes.count
                damaged.append(offset..<next)
                offset = next
            }
        }
        return (spans, damaged)
    }

    private enum Record {
        case intact(length: Int)
        /// The header or payload runs past the end of the bytes: what a crash mid-write leaves.
        case incomplete(String)
        /// Complete, but not a record: a zero or impossible length, or a CRC mismatch.
        case bad(String)
    }

    private static func record(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Record {
        guard offset + 8 <= bytes.count else { return .incomplete("incomplete record header") }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        let expected = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        // No writer stores an empty payload, and eight zero bytes would pass as one (the CRC of
        // nothing is 0), so a zero length is damage, never a record.
        guard length > 0 else { return .bad("zero record length") }
        guard length <= RecordLog.maxRecordBytes else { return .bad("impossible record length \(length)") }
        guard offset + 8 + length <= bytes.count else {
            return .incomplete("record of \(length) bytes runs past the end of the file")
        }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + 8 + length)])
        guard CRC32.checksum(payload) == expected else { return .bad("CRC mismatch in a record of \(length) bytes") }
        return .intact(length: length)
    }

    /// The first offset after `offset` where an intact record starts. A false match needs a
    /// 32-bit CRC to agree by chance.
    static func nextIntactRecord(_ bytes: UnsafeRawBufferPointer, after offset: Int) -> Int? {
        var candidate = offset + 1
        while candidate + 8 < bytes.count {
            if case .intact = record(bytes, at: candidate) { return candidate }
            candidate += 1
        }
        return nil
    }

    /// Whether changing one byte of the length field at `offset` makes an intact record: a flipped
    /// length byte in the last record otherwise looks exactly like a torn write.
    private static func lengthByteRepairs(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard offset + 8 <= bytes.count else { return false }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        let expected = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        let room = bytes.count - offset - 8
        for shift in stride(from: 0, to: 32, by: 8) {
            for value in UInt32(0)...255 {
                let length = Int((stored & ~(0xFF << shift)) | (value << shift))
                guard length > 0, length <= room, length != Int(stored) else { continue }
                let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + 8 + length)])
                if CRC32.checksum(payload) == expected { return true }
            }
        }
        return false
    }

    private static func damage(
        _ bytes: UnsafeRawBufferPointer,
        path: String,
        at offset: Int,
        reason: String
    ) -> LogDamage {
        let after = walk(bytes, from: offset).spans
        return LogDamage(
            path: path,
            offset: offset,
            reason: reason,
            fileBytes: bytes.count,
            resumesAt: after.first?.offset,
            intactRecordsAfter: after.count,
            intactBytesAfter: after.reduce(0) { $0 + 8 + $1.length }
        )
    }
}
