/// Reads labelled orders from CSV for the risk model, in the layout of
/// `../shared/eval/data/fraud/creditcard.csv`: `id` (or `order_id`) the order id, `label`
/// (1 = fraud, 0 = legit; empty = not labelled yet), `Amount` (or `amount`) the amount, optional
/// `user` (or `user_id`) and `created_at` (RFC 3339 or Unix seconds), and every other column a
/// `signals` value of the same name (empty = missing). At scoring time the same order arrives
/// as `amount` plus those `signals`, and gets the same features.
package struct OrderImporter {
    package var path: String
    package var now: Int64
    package var batchSize = 10_000

    package init(path: String, now: Int64) {
        self.path = path
        self.now = now
    }

    /// Reads the file and hands batches of orders to `sink`; a bad row stops nothing until the
    /// end, where ``ImportError/invalidRows(_:total:)`` lists the first 20.
    /// - Parameters:
    ///   - history: the velocity windows the orders' features are derived from (rows are taken
    ///     in file order).
    ///   - sink: receives each batch and the file offset reached.
    /// - Returns: how many orders were handed to `sink`.
    /// - Throws: ``ImportError`` for a bad file, or what `sink` throws.
    @discardableResult
    package func run(history: OrderHistory, _ sink: ([OrderRecord], Int) throws -> Void) throws -> Int {
        let reader = LineReader(path: path)
        var names: [String]?
        var id = 0
        var label = 0
        var amount = 0
        var user: Int?
        var created: Int?
        var signals: [Int] = []
        var batch: [OrderRecord] = []
        var count = 0
        var problems: [String] = []
        var problemCount = 0
        var lastOffset = 0
        try reader.forEachLine { line, bytes, offset in
            lastOffset = offset
            guard !bytes.isEmpty else { return true }
            guard let header = names else {
                let found = CSVRow.split(bytes).map { $0.trimmingCharacters(in: " ") }
                func column(_ candidates: String...) -> Int? {
                    found.firstIndex { candidates.contains($0.lowercased()) }
                }
                guard let idColumn = column("id", "order_id"), let labelColumn = column("label"),
                    let amountColumn = column("amount")
                else { throw ImportError.missingColumns(found: found) }
                (id, label, amount) = (idColumn, labelColumn, amountColumn)
                user = column("user", "user_id")
                created = column("created_at")
                let taken: Set<Int?> = [id, label, amount, user, created]
                signals = found.indices.filter { !taken.contains($0) }
                names = found
                return true
            }
            let fields = CSVRow.fields(bytes)
            func fail(_ reason: String) {
                problemCount += 1
                if problems.count < 20 { problems.append("line \(line): \(reason)") }
            }
            guard fields.count == header.count else {
                fail("has \(fields.count) fields, the header has \(header.count)")
                return true
            }
            guard let orderID = fields.text(id) else {
                fail("\(header[id]) is empty")
                return true
            }
            let fraud: Bool?
            switch fields.text(label) {
            case nil: fraud = nil
            case "1", "fraud": fraud = true
            case "0", "legit": fraud = false
            case let other?:
                fail("label '\(other)' is not 1 (fraud), 0 (legit) or empty")
                return true
            }
            guard let value = fields.number(amount), value.isFinite, value >= 0,
                value <= Magnitude.maxMoney
            else {
                fail("\(header[amount]) '\(fields.text(amount) ?? "")' is not an amount from 0 to 1e12")
                return true
            }
            var createdAt = now
            var createdAtGiven = false
            if let created, let text = fields.text(created) {
                if let seconds = Double(text), seconds.isFinite, abs(seconds) < 1e11 {
                    createdAt = Int64((seconds * 1000).rounded())
                } else if let parsed = Timestamp.parse(text) {
                    createdAt = parsed
                } else {
                    fail("created_at '\(text)' is not RFC 3339 or Unix seconds")
                    return true
                }
                createdAtGiven = true
            }
            var order = Order(id: orderID, amount: value, createdAt: createdAt, createdAtGiven: createdAtGiven)
            order.user = user.flatMap { fields.text($0) }
            for index in signals where fields.isPresent(index) {
                guard let number = fields.number(index), number.isFinite else {
                    fail("\(header[index]) '\(fields.text(index) ?? "")' is not a number")
                    return true
                }
                order.signals.append((header[index], number))
            }
            guard problemCount == 0 else { return true }
            let keys = OrderHistory.Keys(user: order.user, emailHash: nil, ipHash: nil, card: nil)
            let before = history.record(keys, amount: value, at: createdAt)
            batch.append(
                OrderRecord(
                    id: orderID,
                    createdAt: createdAt,
                    amount: value,
                    keys: keys,
                    derived: RiskFeatures.derive(order, before: before, highRiskShare: nil),
                    signals: order.signals,
                    fraud: fraud
                )
            )
            count += 1
            if batch.count == batchSize {
                try sink(batch, offset)
                batch.removeAll(keepingCapacity: true)
            }
            return true
        }
        guard names != nil else { throw ImportError.empty(path) }
        guard problemCount == 0 else { throw ImportError.invalidRows(problems, total: problemCount) }
        if !batch.isEmpty { try sink(batch, lastOffset) }
        guard count > 0 else { throw ImportError.empty(path) }
        return count
    }
}
