/// Salvages a damaged log: keeps every intact record and moves the damaged bytes aside.
///
/// Start-up refuses a damaged log rather than guess, so this is the one place that changes one.
/// It resynchronises on the record framing after each bad stretch (``SegmentScan/salvage(_:)``),
/// so a flipped byte costs the record it hit and nothing after it. The bad bytes are written to
/// `damaged/<segment>@<start>-<end>.bin` and synced before the segment is replaced (by a rename,
/// so a crash leaves either the old or the new segment), and nothing is ever deleted.
/// The caller holds the data directory's lock.
package enum LogRepair {
    package struct SegmentRepair: Sendable, Equatable {
        package var path: String
        package var recordsKept: Int
        package var damagedBytes: Int
        /// Where the damaged stretches were saved.
        package var savedTo: [String]
    }

    /// Repairs every damaged segment of the log in `directory` (a torn tail counts as damage here:
    /// it is saved aside too). With `dryRun`, only reports what it would do.
    /// - Returns: one entry per damaged segment; empty when the log is intact.
    /// - Throws: ``StorageError``.
    package static func repair(directory: String, dryRun: Bool = false) throws(StorageError) -> [SegmentRepair] {
        guard FileSystem.exists(directory) else { return [] }
        var repairs: [SegmentRepair] = []
        for segment in try RecordLog.segments(directory) {
            let name = RecordLog.segmentName(segment)
            let path = directory + "/" + name
            let bytes = try FileSystem.readAll(path)
            let (spans, damaged) = bytes.withUnsafeBytes { SegmentScan.salvage($0) }
            guard !damaged.isEmpty else { continue }
            let saved = damaged.map {
                DataLayout.damaged(inLog: directory) + "/" + name + "@\($0.lowerBound)-\($0.upperBound).bin"
            }
            repairs.append(
                SegmentRepair(
                    path: path,
                    recordsKept: spans.count,
                    damagedBytes: damaged.reduce(0) { $0 + $1.count },
                    savedTo: saved
                )
            )
            if dryRun { continue }
            try FileSystem.makeDirectory(DataLayout.damaged(inLog: directory))
            for (range, target) in zip(damaged, saved) {
                try FileSystem.writeNew(target, Array(bytes[range]))
            }
            try FileSystem.syncDirectory(DataLayout.damaged(inLog: directory))
            var rebuilt = RecordLog.magic
            rebuilt.reserveCapacity(bytes.count)
            for span in spans { rebuilt.append(contentsOf: bytes[span.offset..<span.end]) }
            try FileSystem.writeNew(path + ".repair", rebuilt)
            try FileSystem.rename(path + ".repair", to: path)
            try FileSystem.syncDirectory(directory)
        }
        return repairs
    }
}
