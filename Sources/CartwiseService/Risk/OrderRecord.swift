/// An order as the risk model learns from it: its keys for the velocity windows, its features
/// as they were when it was scored (or imported), and its label once one arrives.
package struct OrderRecord: Sendable, Equatable {
    package var id: String
    package var createdAt: Int64
    package var amount: Double
    package var keys: OrderHistory.Keys
    /// Aligned with ``RiskFeatures/derived``.
    package var derived: [Double]
    package var signals: [(name: String, value: Double)]
    package var fraud: Bool?

    package init(
        id: String,
        createdAt: Int64,
        amount: Double,
        keys: OrderHistory.Keys,
        derived: [Double],
        signals: [(name: String, value: Double)],
        fraud: Bool?
    ) {
        self.id = id
        self.createdAt = createdAt
        self.amount = amount
        self.keys = keys
        self.derived = derived
        self.signals = signals
        self.fraud = fraud
    }

    package static func == (lhs: OrderRecord, rhs: OrderRecord) -> Bool {
        lhs.id == rhs.id && lhs.createdAt == rhs.createdAt && lhs.amount == rhs.amount && lhs.keys == rhs.keys
            && zip(lhs.derived, rhs.derived).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            && lhs.derived.count == rhs.derived.count && lhs.signals.map(\.name) == rhs.signals.map(\.name)
            && lhs.signals.map(\.value) == rhs.signals.map(\.value) && lhs.fraud == rhs.fraud
    }

    /// A batch of imported orders for the `orders` log: the signal names once, then each
    /// order with its keys and a value per name (NaN where it had none). Format 2 keeps every
    /// key (format 1 kept only the user, so a replay lost the card, email and IP windows).
    package static func encode(batch: [OrderRecord]) -> [UInt8] {
        var names: [String] = []
        var positions: [String: Int] = [:]
        for record in batch {
            for signal in record.signals where positions[signal.name] == nil {
                positions[signal.name] = names.count
                names.append(signal.name)
            }
        }
        var writer = BinaryWriter(capacity: 64 + batch.count * (40 + 8 * (names.count + RiskFeatures.derived.count)))
        writer.write(UInt8(2))  // format
        writer.writeVarint(RiskFeatures.derived.count)
        writer.writeVarint(names.count)
        for name in names { writer.write(name) }
        writer.writeVarint(batch.count)
        for record in batch {
            writer.write(record.id)
            writer.write(UInt8(record.fraud.map { $0 ? 1 : 0 } ?? 2))
            writer.write(record.createdAt)
            writer.write(record.amount)
            for key in [
                record.keys.user, record.keys.emailHash, record.keys.ipHash, record.keys.card, record.keys.deviceHash,
                record.keys.addressHash,
            ] {
                writer.write(key ?? "")
            }
            for value in record.derived { writer.write(value) }
            var values = [Double](repeating: .nan, count: names.count)
            for signal in record.signals { values[positions[signal.name]!] = signal.value }
            for value in values { writer.write(value) }
        }
        return writer.bytes
    }

    /// - Throws: ``BinaryReader/Truncated`` if the payload is not an order batch.
    package static func decode(batch payload: UnsafeRawBufferPointer) throws(BinaryReader.Truncated) -> [OrderRecord] {
        var reader = BinaryReader(payload)
        let format = try reader.readUInt8()
        guard format == 1 || format == 2 else { throw BinaryReader.Truncated(offset: 0) }
        let derivedCount = try reader.readVarint()
        let nameCount = try reader.readVarint()
        var names: [String] = []
        for _ in 0..<nameCount { names.append(try reader.readString()) }
        let count = try reader.readVarint()
        var records: [OrderRecord] = []
        // The count is read from the record: never reserve more than its bytes could hold.
        records.reserveCapacity(min(count, payload.count / 16))
        for _ in 0..<count {
            let id = try reader.readString()
            let label = try reader.readUInt8()
            let createdAt = try reader.readInt64()
            let amount = try reader.readDouble()
            var keys: [String?] = []
            for _ in 0..<(format == 1 ? 1 : 6) {
                let key = try reader.readString()
                keys.append(key.isEmpty ? nil : key)
            }
            while keys.count < 6 { keys.append(nil) }
            var derived: [Double] = []
            for _ in 0..<derivedCount { derived.append(try reader.readDouble()) }
            // Features added by a later version are missing from older records.
            while derived.count < RiskFeatures.derived.count { derived.append(.nan) }
            var signals: [(name: String, value: Double)] = []
            for name in names {
                let value = try reader.readDouble()
                if !value.isNaN { signals.append((name, value)) }
            }
            records.append(
                OrderRecord(
                    id: id,
                    createdAt: createdAt,
                    amount: amount,
                    keys: OrderHistory.Keys(
                        user: keys[0],
                        emailHash: keys[1],
                        ipHash: keys[2],
                        card: keys[3],
                        deviceHash: keys[4],
                        addressHash: keys[5]
                    ),
                    derived: Array(derived.prefix(RiskFeatures.derived.count)),
                    signals: signals,
                    fraud: label == 2 ? nil : label == 1
                )
            )
        }
        return records
    }
}
