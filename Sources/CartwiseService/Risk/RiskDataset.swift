/// Every order the risk model may learn from, column-major (Doubles, as scored: thresholds
/// fitted on rounded values would split test values differently): the derived features first, then a
/// column per signal name in the order first seen (NaN where an order lacked it), and a label
/// per order once one arrives (a later label replaces an earlier one).
package struct RiskDataset: Sendable {
    package private(set) var names: [String] = RiskFeatures.derived
    private var columns: [[Double]] = RiskFeatures.derived.map { _ in [] }
    private var signalColumns: [String: Int] = [:]
    /// -1 unknown, 0 legit, 1 fraud.
    private var labels: [Int8] = []
    private var rows: [String: Int] = [:]
    package private(set) var labelled = 0
    package private(set) var frauds = 0
    /// Bumped by every new label or labelled order: the trainer retrains when it moves.
    package private(set) var generation = 0

    package init() {}

    package var count: Int { labels.count }

    package func contains(_ id: String) -> Bool { rows[id] != nil }

    /// The label of order `row` (nil while unknown).
    package func label(row: Int) -> Bool? { labels[row] < 0 ? nil : labels[row] == 1 }

    package func row(of id: String) -> Int? { rows[id] }

    /// Adds an order (the first record of an id wins: a retried checkout keeps its first
    /// features), then its label if it has one.
    /// - Returns: the order's row.
    @discardableResult
    package mutating func add(_ record: OrderRecord) -> Int {
        if let row = rows[record.id] {
            if let fraud = record.fraud { setLabel(row, fraud) }
            return row
        }
        let row = labels.count
        for (position, value) in record.derived.enumerated() { columns[position].append(value) }
        for signal in record.signals {
            let column: Int
            if let known = signalColumns[signal.name] {
                column = known
            } else {
                column = columns.count
                signalColumns[signal.name] = column
                names.append(RiskFeatures.signal(signal.name))
                columns.append([Double](repeating: .nan, count: row))
            }
            if columns[column].count == row { columns[column].append(signal.value) }
        }
        for position in RiskFeatures.derived.count..<columns.count where columns[position].count == row {
            columns[position].append(.nan)
        }
        labels.append(-1)
        rows[record.id] = row
        if let fraud = record.fraud { setLabel(row, fraud) }
        return row
    }

    /// - Returns: false when the order is unknown.
    @discardableResult
    package mutating func label(_ id: String, fraud: Bool) -> Bool {
        guard let row = rows[id] else { return false }
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
        names.map { name in
            if let position = RiskFeatures.derived.firstIndex(of: name) { return columns[position][row] }
            guard name.hasPrefix("signals."), let column = signalColumns[String(name.dropFirst("signals.".count))]
            else { return .nan }
            return columns[column][row]
        }
    }

    /// The labelled orders, feature-major in Double, for training.
    package func trainingSet() -> (names: [String], columns: [[Double]], labels: [Bool]) {
        let picked = labels.indices.filter { labels[$0] >= 0 }
        let columns = self.columns.map { column in picked.map { column[$0] } }
        return (names, columns, picked.map { labels[$0] == 1 })
    }
}
