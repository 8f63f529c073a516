/// Reads labelled orders from CSV for the risk model, in the layout of
/// `../shared/eval/data/fraud/creditcard.csv`: `id` (or `order_id`) the order id, `label`
/// (1 = fraud, 0 = legit; empty = not labelled yet), `Amount` (or `amount`) the amount, optional
/// `user` (or `user_id`) and `created_at` (RFC 3339 or Unix seconds), and every other column a
/// `signals` value of the same name (empty = missing). At scoring time the same order arrives
/// as `amount` plus those `signals`, and gets the same features.
///
/// Columns named like `POST /score-order`'s fields are those fields, not signals: `email`, `ip`,
/// `device_id`, `shipping_address` (hashed with the data directory's salt before they go
/// anywhere), `card_fingerprint`, `card_bin`, `payment_method`, `currency`, `shipping_country`,
/// `billing_country`, `account_created_at`, and `items` (lines as `item:quantity:price`
/// separated by spaces). `cartwise demo` writes its orders this way.
package struct OrderImporter {
    package var path: String
    package var now: Int64
    package var batchSize = 10_000
    /// Hashes the personal columns.
    package var personal: PersonalData
    /// The share of a basket in high-risk categories (the catalog is the service's).
    package var highRiskShare: (Order) -> Double? = { _ in nil }

    /// The order fields a column may hold, by column name.
    static let fieldColumns = [
        "email", "ip", "device_id", "shipping_address", "card_fingerprint", "card_bin", "payment_method", "currency",
        "shipping_country", "billing_country", "account_created_at", "items",
    ]

    /// - Parameters:
    ///   - path: the CSV file.
    ///   - now: the creation time of rows without one.
    ///   - personal: the salt of the data directory the orders go to (a bench that keeps
    ///     nothing may pass any).
    package init(path: String, now: Int64, personal: PersonalData) {
        self.path = path
        self.now = now
        self.personal = personal
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
        var fields: [String: Int] = [:]
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
                for name in Self.fieldColumns { fields[name] = column(name) }
                let taken = Set<Int?>([id, label, amount, user, created] + fields.values.map { $0 })
                signals = found.indices.filter { !taken.contains($0) }
                names = found
                return true
            }
            let row = CSVRow.fields(bytes)
            func fail(_ reason: String) {
                problemCount += 1
                if problems.count < 20 { problems.append("line \(line): \(reason)") }
            }
            guard row.count == header.count else {
                fail("has \(row.count) fields, the header has \(header.count)")
                return true
            }
            guard let orderID = row.text(id) else {
                fail("\(header[id]) is empty")
                return true
            }
            let fraud: Bool?
            switch row.text(label) {
            case nil: fraud = nil
            case "1", "fraud": fraud = true
            case "0", "legit": fraud = false
            case let other?:
                fail("label '\(other)' is not 1 (fraud), 0 (legit) or empty")
                return true
            }
            guard let value = row.number(amount), value.isFinite, value >= 0,
                value <= Magnitude.maxMoney
            else {
                fail("\(header[amount]) '\(row.text(amount) ?? "")' is not an amount from 0 to 1e12")
                return true
            }
            var createdAt = now
            var createdAtGiven = false
            if let created, let text = row.text(created) {
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
            order.user = user.flatMap { row.text($0) }
            func text(_ name: String) -> String? { fields[name].flatMap { row.text($0) } }
            order.email = text("email")?.lowercased()
            order.ip = text("ip")
            order.deviceID = text("device_id")
            order.shippingAddress = text("shipping_address")
            order.cardFingerprint = text("card_fingerprint")
            order.cardBIN = text("card_bin")
            order.paymentMethod = text("payment_method")?.lowercased()
            order.currency = text("currency")
            order.shippingCountry = text("shipping_country")?.uppercased()
            order.billingCountry = text("billing_country")?.uppercased()
            if let account = text("account_created_at") {
                guard let parsed = Timestamp.parse(account) ?? Double(account).map({ Int64(($0 * 1000).rounded()) })
                else {
                    fail("account_created_at '\(account)' is not RFC 3339 or Unix seconds")
                    return true
                }
                order.accountCreatedAt = parsed
            }
            if let lines = text("items") {
                guard let parsed = Self.lines(lines) else {
                    fail("items '\(lines)' is not item:quantity:price lines separated by spaces")
                    return true
                }
                order.items = parsed
            }
            for index in signals where row.isPresent(index) {
                guard let number = row.number(index), number.isFinite else {
                    fail("\(header[index]) '\(row.text(index) ?? "")' is not a number")
                    return true
                }
                order.signals.append((header[index], number))
            }
            guard problemCount == 0 else { return true }
            let keys = OrderHistory.Keys(order, personal: personal)
            let before = history.record(keys, amount: value, at: createdAt, id: orderID)
            batch.append(
                OrderRecord(
                    id: orderID,
                    createdAt: createdAt,
                    amount: value,
                    keys: keys,
                    derived: RiskFeatures.derive(order, before: before, highRiskShare: highRiskShare(order)),
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

    /// `item:quantity:price` lines separated by spaces (nil when one is not).
    static func lines(_ text: String) -> [Order.Line]? {
        var lines: [Order.Line] = []
        for part in text.split(separator: " ") {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            // An item id may hold colons: the quantity and price are the last two pieces.
            guard pieces.count >= 3, let quantity = Double(pieces[pieces.count - 2]),
                let price = Double(pieces[pieces.count - 1]), quantity > 0, quantity <= Magnitude.maxQuantity,
                price >= 0, price <= Magnitude.maxMoney
            else { return nil }
            let item = pieces.dropLast(2).joined(separator: ":")
            guard !item.isEmpty else { return nil }
            lines.append(Order.Line(item: item, quantity: quantity, price: price))
        }
        return lines
    }
}
