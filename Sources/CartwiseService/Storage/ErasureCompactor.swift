package import Logging

/// Rewrites the append-only logs so that erased shoppers' data is gone from the disk, not only
/// from answers: run at start-up, before anything is replayed, whenever the `erasures/` log
/// holds erasures the logs were not yet rewritten for.
///
/// - `events/`: the events an erasure covers (its user's, before it) are dropped;
/// - `orders/`: an erased user's imported orders lose their keys (user, email, IP, card, device
///   and address hashes); the order, its features and label stay for the fraud model;
/// - `audit/`: an erased user's decisions lose their personal members (``AuditEntry/redacted(_:)``);
/// - `snapshots/`: removed (they hold users' factors); the recommender retrains at start;
/// - `demo/orders.csv`: the erased users' rows are dropped.
///
/// Each log is written whole to `<log>.compacting/` and swapped in with two renames; a crash
/// anywhere leaves either the old log or the new one (``recover(_:)`` finishes or undoes the
/// swap at the next start). Bytes under `<log>/damaged/` (torn tails kept for inspection) are
/// moved over as they are.
package enum ErasureCompactor {
    private enum Change {
        case keep
        case replace([UInt8])
        case drop
    }

    /// Finishes or undoes a swap a crash interrupted.
    package static func recover(_ log: String) throws(StorageError) {
        let compacting = log + ".compacting"
        let old = log + ".old"
        if FileSystem.exists(compacting) && !FileSystem.exists(log) && FileSystem.exists(old) {
            try FileSystem.rename(compacting, to: log)
        }
        if FileSystem.exists(compacting) { try FileSystem.removeDirectory(compacting) }
        if FileSystem.exists(old) && FileSystem.exists(log) { try FileSystem.removeDirectory(old) }
    }

    /// The file in `events/` that says how many erasures its records were rewritten for. It is
    /// written into the new log before the swap, so the count and the log change together: an
    /// erasure's position is in the coordinates of the log it was made on, and applying it
    /// again to a rewritten log would drop later events.
    static let eventsMarker = "erasures-compacted"

    /// How many erasures `path` says were applied (0 when it does not exist).
    static func count(_ path: String) -> Int {
        guard let bytes = try? FileSystem.readAll(path) else { return 0 }
        return Int(String(decoding: bytes.filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self)) ?? 0
    }

    /// Whether the logs are behind the `erasures` recorded.
    package static func isPending(directory: String, erasures: Int) -> Bool {
        let layout = DataLayout(directory)
        return count(layout.log(.events) + "/" + eventsMarker) < erasures || count(layout.erasuresCompacted) < erasures
    }

    /// Rewrites the logs for the `erasures` erasures in `erased`, each step only if it is behind.
    /// - Returns: records dropped or rewritten per log.
    @discardableResult
    package static func run(
        directory: String,
        segmentBytes: Int,
        erased: ErasedUsers,
        erasures: Int,
        logger: Logger
    ) throws -> [String: Int] {
        let layout = DataLayout(directory)
        var changed: [String: Int] = [:]
        let marker = (name: eventsMarker, text: "\(erasures)\n")
        if count(layout.log(.events) + "/" + eventsMarker) < erasures {
            changed["events"] = try rewrite(layout.log(.events), segmentBytes, marker: marker) { location, payload in
                guard payload.first == RecordCodec.eventBatch else { return .keep }
                let events = try RecordCodec.decodeEvents(payload)
                let kept = events.filter { !erased.covers($0.user, at: location) }
                if kept.count == events.count { return .keep }
                return kept.isEmpty ? .drop : .replace(RecordCodec.encode(events: kept))
            }
        }
        guard count(layout.erasuresCompacted) < erasures else { return changed }
        changed["orders"] = try rewrite(layout.log(.orders), segmentBytes) { _, payload in
            var records = try OrderRecord.decode(batch: payload)
            var touched = false
            for index in records.indices {
                if let user = records[index].keys.user, erased.contains(user) {
                    records[index].keys = .none
                    touched = true
                }
            }
            return touched ? .replace(OrderRecord.encode(batch: records)) : .keep
        }
        changed["audit"] = try rewrite(layout.log(.audit), segmentBytes) { _, payload in
            let entry = Array(payload)
            guard let user = AuditEntry.user(of: entry), erased.contains(user) else { return .keep }
            return .replace(AuditEntry.redacted(entry))
        }
        if FileSystem.exists(layout.snapshots) {
            for name in try FileSystem.list(layout.snapshots) { try FileSystem.remove(layout.snapshots + "/" + name) }
        }
        if FileSystem.exists(layout.demoOrders) {
            let text = String(decoding: try FileSystem.readAll(layout.demoOrders), as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let before = lines.count
            lines.removeAll { line in
                let fields = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
                return fields.count > 1 && erased.contains(String(fields[1]))
            }
            if lines.count != before {
                try FileSystem.writeNew(layout.demoOrders, Array(lines.joined(separator: "\n").utf8))
                changed["demo_orders"] = before - lines.count
            }
        }
        try FileSystem.writeNew(layout.erasuresCompacted, Array("\(erasures)\n".utf8))
        try FileSystem.syncDirectory(directory)
        logger.notice(
            "rewrote the logs for erasures",
            metadata: changed.mapValues { "\($0)" }.reduce(into: Logger.Metadata()) { $0[$1.key] = .string($1.value) }
        )
        return changed
    }

    /// Writes the log's records through `change` into a new log and swaps it in, when anything changed.
    private static func rewrite(
        _ log: String,
        _ segmentBytes: Int,
        marker: (name: String, text: String)? = nil,
        change: (RecordLog.Location, UnsafeRawBufferPointer) throws -> Change
    ) throws -> Int {
        func writeMarker(in directory: String) throws {
            guard let marker else { return }
            try FileSystem.writeNew(directory + "/" + marker.name, Array(marker.text.utf8))
            try FileSystem.syncDirectory(directory)
        }
        guard FileSystem.exists(log) else { return 0 }
        var payloads: [[UInt8]] = []
        var changed = 0
        try RecordLog.read(directory: log) { location, payload in
            switch try change(location, payload) {
            case .keep: payloads.append(Array(payload))
            case .replace(let bytes):
                payloads.append(bytes)
                changed += 1
            case .drop: changed += 1
            }
        }
        guard changed > 0 else {
            try writeMarker(in: log)
            return 0
        }
        let compacting = log + ".compacting"
        if FileSystem.exists(compacting) { try FileSystem.removeDirectory(compacting) }
        do {
            let (fresh, _) = try RecordLog.open(directory: compacting, segmentBytes: segmentBytes) { _, _ in }
            var start = 0
            while start < payloads.count {
                let end = min(start + 256, payloads.count)
                _ = try fresh.append(Array(payloads[start..<end]))
                start = end
            }
            try fresh.sync()
        }
        let damaged = DataLayout.damaged(inLog: log)
        if FileSystem.exists(damaged) { try FileSystem.rename(damaged, to: DataLayout.damaged(inLog: compacting)) }
        try writeMarker(in: compacting)
        try FileSystem.rename(log, to: log + ".old")
        try FileSystem.rename(compacting, to: log)
        let parent = String(log[..<(log.lastIndex(of: "/") ?? log.endIndex)])
        try FileSystem.syncDirectory(parent.isEmpty ? "." : parent)
        try FileSystem.removeDirectory(log + ".old")
        return changed
    }
}
