/// Every order the risk model may learn from, column-major (Doubles, as scored: thresholds
/// fitted on rounded values would split test values differently): the derived features first, then a
/// column per signal name in the order first seen (NaN where an order lacked it), and a label
/// per order once one arrives (a later label replaces an earlier one).
///
/// Bounded: beyond ``maxOrders`` rows the oldest order leaves memory (its decision stays in the
/// audit trail). A labelled one is moved to the end instead while labelled orders fill at most
/// half the rows, because labels are what training needs and they arrive rarely and late; past
/// that, the oldest labelled order goes too. Other rows keep their numbers (a moved order gets a
/// new one); a row that left reads as unknown, so the thresholds dry run counts a decision whose
/// order left or moved as unlabelled.
///
/// Every scored order is added on the audit writer's thread before its answer goes out, so
/// adding must never pause: columns and labels grow in chunks (``ChunkedArray``) and the id
/// index is split in shards, so no append copies the whole set or rehashes every id (with
/// plain arrays and one dictionary, growing past a million orders stalled answers for 50-150 ms).
package struct RiskDataset: Sendable {
    /// A feature's values from the row where it first appeared (earlier rows are NaN).
    private struct Column: Sendable {
        var start: Int
        var values = ChunkedArray<Double>()

        var end: Int { start + values.count }

        subscript(row: Int) -> Double { row < start ? .nan : values[row - start] }
    }

    package private(set) var names: [String] = RiskFeatures.derived
    private var columns: [Column] = RiskFeatures.derived.map { _ in Column(start: 0) }
    /// Each row's order id (to drop it from the index when the row leaves).
    private var ids = ChunkedArray<String>()
    /// The first row still held.
    private var base = 0
    /// Rows held at most (`risk.max_orders`).
    package let maxOrders: Int
    private var signalColumns: [String: Int] = [:]
    /// Signal names in column order (column = derived count + index).
    private var signalNames: [String] = []
    /// -1 unknown, 0 legit, 1 fraud.
    private var labels = ChunkedArray<Int8>()
    /// Where each row's latest decision is in the audit trail (segment << 32 | offset, plus 1;
    /// 0 for an imported order never scored), for `GET /score-order/{order_id}`.
    private var decisions = ChunkedArray<UInt64>()
    private var rows = [[String: Int]](repeating: [:], count: Self.shards)
    package private(set) var labelled = 0
    package private(set) var frauds = 0
    /// Bumped by every new label or labelled order: the trainer retrains when it moves.
    package private(set) var generation = 0

    private static let shards = 256

    package init(maxOrders: Int = 2_000_000) {
        precondition(maxOrders >= 2, "room for a labelled order and a new one")
        self.maxOrders = maxOrders
    }

    /// Orders held.
    package var count: Int { labels.count - base }

    package func contains(_ id: String) -> Bool { row(of: id) != nil }

    /// The label of order `row` (nil while unknown, or when the row has left memory).
    package func label(row: Int) -> Bool? {
        guard row >= base else { return nil }
        return labels[row] < 0 ? nil : labels[row] == 1
    }

    package func row(of id: String) -> Int? { rows[Self.shard(id)][id] }

    private static func shard(_ id: String) -> Int { id.hashValue & (shards - 1) }

    /// Adds an order (the first record of an id wins: a retried checkout keeps its first
    /// features), then its label if it has one.
    /// - Returns: the order's row.
    @discardableResult
    package mutating func add(_ record: OrderRecord) -> Int {
        let shard = Self.shard(record.id)
        if let row = rows[shard][record.id] {
            if let fraud = record.fraud { setLabel(row, fraud) }
            return row
        }
        let row = labels.count
        for (position, value) in record.derived.enumerated() { columns[position].values.append(value) }
        for (index, signal) in record.signals.enumerated() {
            let column: Int
            // Orders mostly list their signals in the order first seen: try the n-th signal
            // column before hashing the name.
            if index < signalNames.count && signalNames[index] == signal.name {
                column = RiskFeatures.derived.count + index
            } else if let known = signalColumns[signal.name] {
                column = known
            } else {
                column = columns.count
                signalColumns[signal.name] = column
                signalNames.append(signal.name)
                names.append(RiskFeatures.signal(signal.name))
                columns.append(Column(start: row))
            }
            // A name sent twice keeps its first value.
            if columns[column].end == row { columns[column].values.append(signal.value) }
        }
        for position in RiskFeatures.derived.count..<columns.count where columns[position].end == row {
            columns[position].values.append(.nan)
        }
        labels.append(-1)
        decisions.append(0)
        ids.append(record.id)
        rows[shard][record.id] = row
        if let fraud = record.fraud { setLabel(row, fraud) }
        while count > maxOrders { evictOldest() }
        return row
    }

    /// Drops the oldest row, or moves it to the end when it is labelled and labelled rows fill
    /// at most half of the room.
    private mutating func evictOldest() {
        let row = base
        let id = ids[row]
        let shard = Self.shard(id)
        if labels[row] >= 0 && labelled <= maxOrders / 2 {
            let moved = labels.count
            for index in columns.indices { columns[index].values.append(columns[index][row]) }
            labels.append(labels[row])
            decisions.append(decisions[row])
            ids.append(id)
            rows[shard][id] = moved
        } else {
            rows[shard][id] = nil
            if labels[row] >= 0 {
                labelled -= 1
                if labels[row] == 1 { frauds -= 1 }
                generation += 1
            }
        }
        base += 1
        labels.release(below: base)
        decisions.release(below: base)
        ids.release(below: base)
        for index in columns.indices where base > columns[index].start {
            columns[index].values.release(below: base - columns[index].start)
        }
    }

    /// Records where order `row`'s latest decision is in the audit trail.
    package mutating func setDecision(row: Int, at location: RecordLog.Location) {
        guard row >= base, row < labels.count else { return }
        decisions[row] = (UInt64(location.segment) << 32 | UInt64(location.offset)) + 1
    }

    /// Where order `id`'s latest decision is in the audit trail (nil: unknown, never scored, or
    /// no longer in memory).
    package func decision(of id: String) -> RecordLog.Location? {
        guard let row = row(of: id), row >= base else { return nil }
        let packed = decisions[row]
        guard packed > 0 else { return nil }
        return RecordLog.Location(segment: UInt32((packed - 1) >> 32), offset: UInt32((packed - 1) & 0xFFFF_FFFF))
    }

    /// - Returns: false when the order is unknown.
    @discardableResult
    package mutating func label(_ id: String, fraud: Bool) -> Bool {
        guard let row = row(of: id) else { return false }
        setLabel(row, fraud)
        return true
    }

    private mutating func setLabel(_ row: Int, _ fraud: Bool) {
        let old = labels[row]
        if old < 0 { labelled += 1 }
        if old == 1 { frauds -= 1 }
        if fraud { frauds += 1 }
        labels[row] = fraud ? 1 : 0
        generation += 1
    }

    /// Order `row`'s values of the named features (NaN for a name the dataset lacks), to rescore
    /// it with a model trained on other columns.
    package func values(row: Int, names: [String]) -> [Double] {
        guard row >= base else { return names.map { _ in .nan } }
        return names.map { name in
            if let position = RiskFeatures.derived.firstIndex(of: name) { return columns[position][row] }
            guard name.hasPrefix("signals."), let column = signalColumns[String(name.dropFirst("signals.".count))]
            else { return .nan }
            return columns[column][row]
        }
    }

    /// The labelled orders, feature-major in Double, for training.
    package func trainingSet() -> (names: [String], columns: [[Double]], labels: [Bool]) {
        let picked = (base..<labels.count).filter { labels[$0] >= 0 }
        let columns = self.columns.map { column in picked.map { column[$0] } }
        return (names, columns, picked.map { labels[$0] == 1 })
    }
}
