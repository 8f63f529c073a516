import CartwiseModels
import HTTPCore

/// Snapshot files: `data/snapshots/model-<version>.bin.z`.
///
/// Layout: the 8-byte magic `CWSNAP01`, the version (u64), the CRC32 (u32) and length (u32) of
/// the rest, then a gzip stream of the encoded snapshot. Written to a temporary name, synced,
/// renamed, and the directory synced, so a crash leaves either the old set or the new file whole.
package enum SnapshotFile {
    static let magic = Array("CWSNAP01".utf8)

    package static func path(_ directory: String, version: UInt64) -> String {
        let digits = String(version)
        return directory + "/model-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".bin.z"
    }

    /// Writes `snapshot` durably and keeps only the newest `keep` files.
    /// - Throws: ``StorageError``.
    package static func write(_ snapshot: RecommendSnapshot, to directory: String, keep: Int) throws(StorageError) {
        try FileSystem.makeDirectory(directory)
        let payload: [UInt8]
        do {
            payload = try Gzip.compress(encode(snapshot), level: 3)
        } catch {
            throw .failed(reason: "cannot compress snapshot: \(error)")
        }
        var writer = BinaryWriter(capacity: payload.count + 24)
        for byte in magic { writer.write(byte) }
        writer.write(Int64(bitPattern: snapshot.version))
        writer.write(payload.withUnsafeBytes { CRC32.checksum($0) })
        writer.write(UInt32(payload.count))
        var bytes = writer.bytes
        bytes.append(contentsOf: payload)
        let final = path(directory, version: snapshot.version)
        let temporary = final + ".tmp"
        try FileSystem.writeNew(temporary, bytes)
        try FileSystem.rename(temporary, to: final)
        try FileSystem.syncDirectory(directory)
        for old in versions(in: directory).dropLast(max(1, keep)) {
            try? FileSystem.remove(path(directory, version: old))
        }
    }

    /// Versions on disk, oldest first.
    package static func versions(in directory: String) -> [UInt64] {
        ((try? FileSystem.list(directory)) ?? []).compactMap { name -> UInt64? in
            guard name.hasPrefix("model-"), name.hasSuffix(".bin.z") else { return nil }
            return UInt64(name.dropFirst(6).dropLast(6))
        }.sorted()
    }

    /// Reads and verifies one snapshot file.
    /// - Throws: ``StorageError`` when it is missing, truncated, fails its CRC or cannot be decoded.
    package static func read(_ directory: String, version: UInt64) throws(StorageError) -> RecommendSnapshot {
        let file = path(directory, version: version)
        let bytes = try FileSystem.readAll(file)
        guard bytes.count >= 24, Array(bytes[0..<8]) == magic else {
            throw .corrupt(path: file, offset: 0, reason: "not a snapshot file")
        }
        let header = bytes.withUnsafeBytes { raw in
            (
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)),
                Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 20, as: UInt32.self)))
            )
        }
        guard header.0 == version, bytes.count == 24 + header.2 else {
            throw .corrupt(path: file, offset: 8, reason: "header does not match the file")
        }
        let payload = Array(bytes[24...])
        guard payload.withUnsafeBytes({ CRC32.checksum($0) }) == header.1 else {
            throw .corrupt(path: file, offset: 24, reason: "CRC mismatch")
        }
        do {
            let raw = try Gzip.decompress(payload, limit: 1 << 31)
            return try raw.withUnsafeBytes { bytes throws(BinaryReader.Truncated) in try decode(bytes) }
        } catch {
            throw .corrupt(path: file, offset: 24, reason: "\(error)")
        }
    }

    /// The newest snapshot that reads back intact; damaged newer files are skipped.
    package static func newest(in directory: String) -> (RecommendSnapshot?, skipped: [String]) {
        var skipped: [String] = []
        for version in versions(in: directory).reversed() {
            do {
                return (try read(directory, version: version), skipped)
            } catch {
                skipped.append("\(error)")
            }
        }
        return (nil, skipped)
    }

    // MARK: - Encoding

    /// 2 added the per-user candidate table, 3 the popular items' scores; older files still
    /// load (without them).
    static let formatVersion: UInt8 = 3

    static func encode(_ snapshot: RecommendSnapshot) -> [UInt8] {
        let info = snapshot.info
        var writer = BinaryWriter(
            capacity: (snapshot.factors.users.values.count + snapshot.factors.items.values.count) * 4 + 4096
        )
        writer.write(formatVersion)
        writer.write(Int64(bitPattern: info.version))
        writer.write(info.trainedAt)
        writer.write(info.trainingSeconds)
        writer.writeVarint(info.users)
        writer.writeVarint(info.items)
        writer.writeVarint(info.interactions)
        writer.writeVarint(info.sequence)
        writer.write(info.precisionAt10)
        writer.writeVarint(info.usersEvaluated)
        writer.writeVarint(info.factors)
        writer.write(Double(info.regularization))
        writer.write(Double(info.alpha))
        writer.writeVarint(info.iterations)
        writer.writeVarint(snapshot.userNames.count)
        for name in snapshot.userNames { writer.write(name) }
        writer.writeVarint(snapshot.itemNames.count)
        for name in snapshot.itemNames { writer.write(name) }
        for value in snapshot.factors.users.values { writer.write(value.bitPattern) }
        for value in snapshot.factors.items.values { writer.write(value.bitPattern) }
        writer.writeVarint(snapshot.popular.count)
        for item in snapshot.popular { writer.writeVarint(Int(item)) }
        writer.writeVarint(snapshot.categoryItems.count)
        for (category, items) in snapshot.categoryItems.sorted(by: { $0.key < $1.key }) {
            writer.write(category)
            writer.writeVarint(items.count)
            for item in items.sorted() { writer.writeVarint(Int(item)) }
        }
        let candidates = snapshot.candidates
        writer.writeVarint(candidates.width)
        writer.writeVarint(candidates.items.count)
        for item in candidates.items { writer.write(UInt32(bitPattern: item)) }
        for score in candidates.scores { writer.write(score.bitPattern) }
        writer.writeVarint(candidates.historyOffsets.count - 1)
        for user in 0..<(candidates.historyOffsets.count - 1) {
            let row = candidates.historyOffsets[user]..<candidates.historyOffsets[user + 1]
            writer.writeVarint(row.count)
            for item in candidates.history[row] { writer.writeVarint(Int(item)) }
        }
        writer.writeVarint(snapshot.popularScores.count)
        for score in snapshot.popularScores { writer.write(score.bitPattern) }
        return writer.bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(BinaryReader.Truncated) -> RecommendSnapshot {
        var reader = BinaryReader(bytes)
        let format = try reader.readUInt8()
        guard (1...formatVersion).contains(format) else { throw BinaryReader.Truncated(offset: 0) }
        var info = RecommendSnapshot.Info(
            version: UInt64(bitPattern: try reader.readInt64()),
            trainedAt: try reader.readInt64(),
            trainingSeconds: try reader.readDouble(),
            users: try reader.readVarint(),
            items: try reader.readVarint(),
            interactions: try reader.readVarint(),
            sequence: try reader.readVarint(),
            precisionAt10: try reader.readDouble(),
            usersEvaluated: try reader.readVarint(),
            factors: try reader.readVarint(),
            regularization: 0,
            alpha: 0,
            iterations: 0
        )
        info.regularization = Float(try reader.readDouble())
        info.alpha = Float(try reader.readDouble())
        info.iterations = try reader.readVarint()
        var users: [String] = []
        for _ in 0..<(try reader.readVarint()) { users.append(try reader.readString()) }
        var items: [String] = []
        for _ in 0..<(try reader.readVarint()) { items.append(try reader.readString()) }
        func floats(_ count: Int) throws(BinaryReader.Truncated) -> [Float] {
            var values = [Float](repeating: 0, count: count)
            for index in 0..<count { values[index] = Float(bitPattern: try reader.readUInt32()) }
            return values
        }
        let k = info.factors
        let userFactors = DenseMatrix(rows: users.count, columns: k, values: try floats(users.count * k))
        let itemFactors = DenseMatrix(rows: items.count, columns: k, values: try floats(items.count * k))
        var popular: [Int32] = []
        for _ in 0..<(try reader.readVarint()) { popular.append(Int32(try reader.readVarint())) }
        var categories: [String: Set<Int32>] = [:]
        for _ in 0..<(try reader.readVarint()) {
            let name = try reader.readString()
            var set = Set<Int32>()
            for _ in 0..<(try reader.readVarint()) { set.insert(Int32(try reader.readVarint())) }
            categories[name] = set
        }
        var candidates = CandidateTable.empty
        if format >= 2 {
            let width = try reader.readVarint()
            let count = try reader.readVarint()
            guard width == 0 ? count == 0 : count == users.count * width else {
                throw BinaryReader.Truncated(offset: 0)
            }
            var indices = [Int32](repeating: -1, count: count)
            for slot in 0..<count {
                indices[slot] = Int32(bitPattern: try reader.readUInt32())
                guard indices[slot] < items.count else { throw BinaryReader.Truncated(offset: 0) }
            }
            let scores = try floats(count)
            var historyOffsets = [0]
            var history: [Int32] = []
            for _ in 0..<(try reader.readVarint()) {
                for _ in 0..<(try reader.readVarint()) {
                    let item = try reader.readVarint()
                    guard item < items.count else { throw BinaryReader.Truncated(offset: 0) }
                    history.append(Int32(item))
                }
                historyOffsets.append(history.count)
            }
            candidates = CandidateTable(
                width: width,
                items: indices,
                scores: scores,
                historyOffsets: historyOffsets,
                history: history
            )
        }
        var popularScores: [Float]?
        if format >= 3 {
            let count = try reader.readVarint()
            guard count == popular.count else { throw BinaryReader.Truncated(offset: 0) }
            popularScores = try floats(count)
        }
        return RecommendSnapshot(
            info: info,
            userNames: users,
            itemNames: items,
            factors: ALSFactors(users: userFactors, items: itemFactors),
            popular: popular,
            popularScores: popularScores,
            categoryItems: categories,
            candidates: candidates
        )
    }
}
