/// The uplift model's features: the attributes exposures were sent with (numbers as they are,
/// strings one-hot over their most frequent values) and, where the customer model's ledger
/// knows the customer, their purchase history as of the exposure.
///
/// The schema is fixed when a model is trained and kept with it, so a customer scored later is
/// encoded exactly as the training rows were.
package struct UpliftFeatures: Sendable, Equatable {
    package struct Categorical: Sendable, Equatable {
        package var name: String
        package var values: [String]
    }

    package var numeric: [String]
    package var categorical: [Categorical]
    /// The four purchase-history columns.
    package var history: Bool

    /// A string attribute keeps this many of its most frequent values; the rest are all zeros.
    package static let maxValuesPerField = 20
    package static let historyNames = [
        "history.recency_days", "history.purchase_days_365", "history.spend_365", "history.tenure_days",
    ]

    /// The column names, in row order.
    package var names: [String] {
        numeric + categorical.flatMap { field in field.values.map { field.name + "=" + $0 } }
            + (history ? Self.historyNames : [])
    }

    /// Reads the schema off the training exposures' attributes: a field is numeric when every
    /// value it takes is a number.
    package static func learn(contexts: [[ContextField]], history: Bool) -> UpliftFeatures {
        var isNumeric: [String: Bool] = [:]
        var counts: [String: [String: Int]] = [:]
        var order: [String] = []
        for context in contexts {
            for field in context {
                if isNumeric[field.name] == nil { order.append(field.name) }
                switch field.value {
                case .number: isNumeric[field.name] = isNumeric[field.name] ?? true
                case .string(let text):
                    isNumeric[field.name] = false
                    counts[field.name, default: [:]][text, default: 0] += 1
                }
            }
        }
        var numeric: [String] = []
        var categorical: [Categorical] = []
        for name in order {
            if isNumeric[name] == true {
                numeric.append(name)
            } else {
                let values = (counts[name] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                    .prefix(maxValuesPerField).map(\.key)
                categorical.append(Categorical(name: name, values: values))
            }
        }
        return UpliftFeatures(numeric: numeric, categorical: categorical, history: history)
    }

    /// One row: NaN where an attribute is absent (or a number field carried text).
    package func row(_ context: [ContextField], history: PurchaseHistory?) -> [Double] {
        var row = [Double](repeating: .nan, count: numeric.count)
        for field in context {
            if let column = numeric.firstIndex(of: field.name), case .number(let value) = field.value {
                row[column] = value
            }
        }
        for field in categorical {
            let value = context.last { $0.name == field.name }?.value
            for candidate in field.values {
                switch value {
                case .string(let text): row.append(text == candidate ? 1 : 0)
                case .number(let number): row.append(JSONWriter.number(number) == candidate ? 1 : 0)
                case nil: row.append(.nan)
                }
            }
        }
        if self.history {
            if let history {
                row += [history.recencyDays, history.purchaseDays365, history.spend365, history.tenureDays]
            } else {
                row += [.nan, .nan, .nan, .nan]
            }
        }
        return row
    }
}

/// A customer's purchases before a day, from the customer model's ledger.
package struct PurchaseHistory: Sendable, Equatable {
    package var recencyDays: Double
    package var purchaseDays365: Double
    package var spend365: Double
    package var tenureDays: Double

    /// - Parameters:
    ///   - record: the customer's ledger record.
    ///   - day: the day of the exposure (only what came before counts).
    /// - Returns: nil when the customer had no purchase before `day`.
    package static func of(_ record: CustomerLedger.Record, before day: Int32) -> PurchaseHistory? {
        var last = Int32.min
        var days = Set<Int32>()
        var spend = 0.0
        for line in record.lines where line.day < day {
            last = max(last, line.day)
            if line.day >= day - 365 {
                days.insert(line.day)
                if line.price.isFinite { spend += line.price * Double(max(0, line.units - line.returned)) }
            }
        }
        for order in record.imported where order.day < day {
            last = max(last, order.day)
            if order.day >= day - 365 {
                days.insert(order.day)
                spend += order.amount
            }
        }
        guard last != .min else { return nil }
        let first = CustomerLedger.day(record.firstSeen)
        return PurchaseHistory(
            recencyDays: Double(day - last),
            purchaseDays365: Double(days.count),
            spend365: spend,
            tenureDays: Double(max(0, day - first))
        )
    }
}
