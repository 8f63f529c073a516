/// Reads `POST /score-order`'s body, naming every bad field by its path (`items[2].price`,
/// `payment.card_bin`, `signals.device_score`).
package enum OrderDecoder {
    package static let maxItems = 1000
    package static let maxSignals = 256

    /// - Throws: ``APIError/invalidField(field:reason:)`` for the first problem, or
    ///   ``APIError/malformedBody(reason:)`` for invalid JSON.
    package static func decode(_ body: [UInt8], now: Int64) throws(APIError) -> Order {
        var problems: [(field: String, reason: String)] = []
        func problem(_ field: String, _ reason: String) { problems.append((field, reason)) }
        var order = Order(id: "", amount: .nan, createdAt: now, createdAtGiven: false)
        var sawID = false
        try JSONObjectBody.read(body, problem: problem) { key, reader throws(JSONReader.SyntaxError) in
            try field(key, &reader, &order, &sawID, problem)
        }
        if problems.isEmpty && !sawID { problem("order_id", "is required") }
        if problems.isEmpty && order.amount.isNaN { problem("amount", "is required") }
        if let first = problems.first { throw .invalidField(field: first.field, reason: first.reason) }
        return order
    }

    private static func field(
        _ key: String,
        _ reader: inout JSONReader,
        _ order: inout Order,
        _ sawID: inout Bool,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) {
        switch key {
        case "order_id":
            if let id = try EventDecoder.identifier(&reader, key, problem) {
                order.id = id
                sawID = true
            }
        case "user": order.user = try EventDecoder.identifier(&reader, key, problem, nullable: true)
        case "amount":
            if let amount = try EventDecoder.number(&reader, key, problem) {
                if amount < 0 {
                    problem(key, "must be at least 0")
                } else if amount > Magnitude.maxMoney {
                    problem(key, Magnitude.moneyProblem)
                } else {
                    order.amount = amount
                }
            }
        case "currency": order.currency = try text(&reader, key, problem)
        case "email": order.email = try text(&reader, key, problem)?.lowercased()
        case "ip": order.ip = try text(&reader, key, problem)
        case "shipping_country": order.shippingCountry = try text(&reader, key, problem)?.uppercased()
        case "billing_country": order.billingCountry = try text(&reader, key, problem)?.uppercased()
        case "shipping_address": order.shippingAddress = try text(&reader, key, problem)
        case "device_id": order.deviceID = try text(&reader, key, problem)
        case "account_created_at":
            order.accountCreatedAt = try time(&reader, key, problem)
        case "created_at":
            if let time = try time(&reader, key, problem) {
                order.createdAt = time
                order.createdAtGiven = true
            }
        case "items": order.items = try lines(&reader, problem)
        case "payment": try payment(&reader, &order, problem)
        case "signals": try signals(&reader, &order, problem)
        default:
            problem(key, "is not a known field")
            try reader.skipValue()
        }
    }

    private static func text(
        _ reader: inout JSONReader,
        _ field: String,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) -> String? {
        try EventDecoder.identifier(&reader, field, problem, nullable: true)
    }

    private static func time(
        _ reader: inout JSONReader,
        _ field: String,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) -> Int64? {
        if reader.readNull() { return nil }
        return try EventDecoder.timestamp(&reader) { _, reason in problem(field, reason) }
    }

    private static func lines(
        _ reader: inout JSONReader,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) -> [Order.Line] {
        if reader.readNull() { return [] }
        guard try reader.peekKind() == .array else {
            problem("items", "must be an array of {\"item\", \"quantity\", \"price\"} objects")
            try reader.skipValue()
            return []
        }
        var lines: [Order.Line] = []
        try reader.expect(UInt8(ascii: "["))
        if reader.consume(UInt8(ascii: "]")) { return [] }
        repeat {
            let index = lines.count
            func lineProblem(_ field: String, _ reason: String) { problem("items[\(index)]." + field, reason) }
            guard try reader.peekKind() == .object else {
                problem("items[\(index)]", "must be an object with item, quantity and price")
                try reader.skipValue()
                lines.append(Order.Line(item: "", quantity: 0, price: 0))
                continue
            }
            var line = Order.Line(item: "", quantity: 1, price: 0)
            var sawItem = false
            try reader.expect(UInt8(ascii: "{"))
            if !reader.consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try reader.readString()
                    try reader.expect(UInt8(ascii: ":"))
                    switch key {
                    case "item":
                        if let item = try EventDecoder.identifier(&reader, key, lineProblem) {
                            line.item = item
                            sawItem = true
                        }
                    case "quantity":
                        if let quantity = try EventDecoder.number(&reader, key, lineProblem) {
                            if quantity <= 0 {
                                lineProblem(key, "must be above 0")
                            } else if quantity > Magnitude.maxQuantity {
                                lineProblem(key, Magnitude.quantityProblem)
                            } else {
                                line.quantity = quantity
                            }
                        }
                    case "price":
                        if let price = try EventDecoder.number(&reader, key, lineProblem) {
                            if price < 0 {
                                lineProblem(key, "must be at least 0")
                            } else if price > Magnitude.maxMoney {
                                lineProblem(key, Magnitude.moneyProblem)
                            } else {
                                line.price = price
                            }
                        }
                    default:
                        lineProblem(key, "is not a known field")
                        try reader.skipValue()
                    }
                } while reader.consume(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "}"))
            }
            if !sawItem { lineProblem("item", "is required") }
            lines.append(line)
            if lines.count > maxItems {
                problem("items", "must hold at most \(maxItems) lines")
                while reader.consume(UInt8(ascii: ",")) { try reader.skipValue() }
                break
            }
        } while reader.consume(UInt8(ascii: ","))
        try reader.expect(UInt8(ascii: "]"))
        return lines
    }

    private static func payment(
        _ reader: inout JSONReader,
        _ order: inout Order,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) {
        if reader.readNull() { return }
        guard try reader.peekKind() == .object else {
            problem("payment", "must be an object with card_bin, card_fingerprint and method")
            try reader.skipValue()
            return
        }
        func paymentProblem(_ field: String, _ reason: String) { problem("payment." + field, reason) }
        try reader.expect(UInt8(ascii: "{"))
        if reader.consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try reader.readString()
            try reader.expect(UInt8(ascii: ":"))
            switch key {
            case "card_bin": order.cardBIN = try text(&reader, key, paymentProblem)
            case "card_fingerprint": order.cardFingerprint = try text(&reader, key, paymentProblem)
            case "method": order.paymentMethod = try text(&reader, key, paymentProblem)?.lowercased()
            default:
                paymentProblem(key, "is not a known field")
                try reader.skipValue()
            }
        } while reader.consume(UInt8(ascii: ","))
        try reader.expect(UInt8(ascii: "}"))
    }

    /// The signals object: every member a finite number (null or a string is named as a
    /// problem). The object is also kept as it arrived, compacted, for the audit trail: copying
    /// it costs less than writing 29 numbers back out, and it is exactly what was sent.
    private static func signals(
        _ reader: inout JSONReader,
        _ order: inout Order,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) {
        if reader.readNull() { return }
        guard try reader.peekKind() == .object else {
            problem("signals", "must be an object of named numbers")
            try reader.skipValue()
            return
        }
        let start = reader.offset
        var signals: [(name: String, value: Double)] = []
        signals.reserveCapacity(32)
        var clean = true
        try reader.expect(UInt8(ascii: "{"))
        if !reader.consume(UInt8(ascii: "}")) {
            repeat {
                let name = try reader.readString()
                try reader.expect(UInt8(ascii: ":"))
                guard !name.isEmpty, TextLength.fits(name, atMost: EventDecoder.maxContextNameBytes) else {
                    problem(
                        "signals." + name,
                        "name must be 1 to \(EventDecoder.maxContextNameBytes) characters long"
                    )
                    try reader.skipValue()
                    clean = false
                    continue
                }
                guard try reader.peekKind() == .number else {
                    problem("signals." + name, "must be a number")
                    try reader.skipValue()
                    clean = false
                    continue
                }
                let value = try reader.readNumber()
                guard value.isFinite else {
                    problem("signals." + name, "must be a finite number")
                    clean = false
                    continue
                }
                signals.append((name, value))
            } while reader.consume(UInt8(ascii: ","))
            try reader.expect(UInt8(ascii: "}"))
        }
        if signals.count > maxSignals {
            problem("signals", "must hold at most \(maxSignals) values")
            clean = false
        }
        order.signals = signals
        order.signalsJSON = clean ? reader.compacted(from: start) : []
    }
}
