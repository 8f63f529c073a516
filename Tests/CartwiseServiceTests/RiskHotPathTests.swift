import CartwiseModels
import CartwiseService
import HTTPCore
import Logging
import Testing

/// The pieces `POST /score-order` was made faster with, each checked against the slower,
/// obviously right form it replaced.
struct RiskHotPathTests {
    private func readNumber(_ text: String) throws -> Double {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            let value = try reader.readNumber()
            #expect(reader.isAtEnd, "\(text) was not read to its end")
            return value
        }
    }

    /// The reference is the standard library's parser (`strtod`), bit for bit: the fast path
    /// must round exactly as it does, and hand over whatever it cannot do exactly.
    @Test func anOrderRecordedAgainCountsOnce() {
        let history = OrderHistory()
        let keys = OrderHistory.Keys(
            user: "u",
            emailHash: nil,
            ipHash: nil,
            card: "c",
            deviceHash: "d",
            addressHash: "a"
        )
        let first = history.record(keys, amount: 10, at: 1000, id: "o1")
        #expect(first.card?.hour == 0 && first.firstUseOfCard == true && first.firstUseOfDevice == true)
        // Scored again: the same view, not one more order on the card.
        #expect(history.record(keys, amount: 10, at: 1000, id: "o1") == first)
        let next = history.record(keys, amount: 30, at: 2000, id: "o2")
        #expect(next.card?.hour == 1 && next.userOrders == 1 && next.userMeanAmount == 10)
        #expect(next.firstUseOfCard == false && next.firstUseOfDevice == false && next.firstUseOfAddress == false)
        // Another account on the same card and address.
        var other = keys
        other.user = "v"
        let shared = history.record(other, amount: 5, at: 3000, id: "o3")
        #expect(shared.cardAccounts == 1 && shared.addressAccounts == 1 && shared.firstUseOfCard == true)
        #expect(shared.card?.hour == 2)
    }

    @Test func numbersParseAsTheStandardLibraryParsesThem() throws {
        var texts = [
            "0", "-0", "0.0", "-0.0", "1", "-1", "0.1", "0.5", "1.5", "123.456", "-1.3598071336738",
            "0.000123", "1e22", "1e23", "1E-22", "1e-23", "9007199254740992", "9007199254740993",
            "123456789012345678901", "1.00000000000000000000001", "0e5", "0e-500", "1e308", "2.5e-310",
            "4.9406564584124654e-324", "1.7976931348623157e308", "0.30000000000000004", "100000000000000000000",
            "12345678901234567890.5", "0.0000000000000000000000000001",
        ]
        var random = SeededRandom(seed: 7)
        for _ in 0..<2000 {
            let digits = Int.random(in: 1...20, using: &random)
            var mantissa = String(Int.random(in: 1...9, using: &random))
            for _ in 1..<digits { mantissa += String(Int.random(in: 0...9, using: &random)) }
            // Digits before the point (all of them: an integer); a leading "0." now and then.
            let point = Int.random(in: 1...digits, using: &random)
            var text = point == digits ? mantissa : mantissa.prefix(point) + "." + mantissa.dropFirst(point)
            if Int.random(in: 0..<5, using: &random) == 0 { text = "0." + mantissa }
            if Bool.random(using: &random) { text += "e" + String(Int.random(in: -30...30, using: &random)) }
            if Bool.random(using: &random) { text = "-" + text }
            texts.append(text)
        }
        for text in texts {
            let expected = try #require(Double(text))
            let read = try readNumber(text)
            #expect(read.bitPattern == expected.bitPattern, "\(text): read \(read), expected \(expected)")
        }
        for bad in ["-", "1.", ".5", "1e", "1e+", "--1"] {
            #expect(throws: JSONReader.SyntaxError.self) { _ = try readNumber(bad) }
        }
    }

    @Test func compactingKeepsStringsAndDropsTheSpaceBetweenTokens() throws {
        let text = "{ \"a b\" : 1 ,\n\t\"q\\\" x\" : -2.5e3 , \"c\": \"  \" }"
        let bytes = Array(text.utf8)
        let compacted = try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            try reader.skipValue()
            return reader.compacted(from: 0)
        }
        #expect(String(decoding: compacted, as: UTF8.self) == #"{"a b":1,"q\" x":-2.5e3,"c":"  "}"#)
    }

    @Test func stringsAreAppendedAsQuoteSpellsThem() {
        for text in [
            "", "plain", "signals.V1", "é ü 中文", "quote\" and \\ backslash", "tab\tnew\nline\r", "\u{1}\u{1f}",
        ] {
            var out: [UInt8] = []
            JSONString.append(text, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == JSONString.quote(text))
        }
    }

    @Test func numbersAreAppendedAsNumberSpellsThem() {
        let values: [Double] = [
            0, -0.0, 1, -1, 42, -123_456, 999_999_999_999_999, -999_999_999_999_999, 1e15, 0.5, -1.3598071336738,
            1e-7, 123.25, 5e20, .ulpOfOne,
        ]
        for value in values {
            var out: [UInt8] = []
            JSONWriter.append(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == JSONWriter.number(value), "\(value)")
        }
    }

    @Test func chunkedArraysHoldWhatWasAppendedAcrossChunks() {
        var array = ChunkedArray<Int>()
        let count = (1 << ChunkedArray<Int>.chunkShift) * 2 + 17
        for value in 0..<count { array.append(value * 3) }
        #expect(array.count == count)
        #expect(array.elementsEqual((0..<count).map { $0 * 3 }))
        array[65_536] = -1
        #expect(array[65_535] == 65_535 * 3 && array[65_536] == -1 && array[65_537] == 65_537 * 3)
    }

    private func record(_ id: String, _ signals: [(String, Double)]) -> OrderRecord {
        OrderRecord(
            id: id,
            createdAt: 0,
            amount: 1,
            keys: OrderHistory.Keys(user: nil, emailHash: nil, ipHash: nil, card: nil),
            derived: [Double](repeating: 0, count: RiskFeatures.derived.count),
            signals: signals,
            fraud: nil
        )
    }

    /// Signals in another order, a name first seen late and a name sent twice land where a
    /// plain name lookup would put them.
    @Test func theDatasetFindsSignalsByNameWhateverTheirOrder() {
        var dataset = RiskDataset()
        dataset.add(record("o1", [("a", 1), ("b", 2)]))
        dataset.add(record("o2", [("b", 20), ("a", 10)]))
        dataset.add(record("o3", [("a", 100), ("c", 300), ("a", 999)]))
        dataset.add(record("o1", [("a", -1)]))
        let names = ["signals.a", "signals.b", "signals.c", "signals.missing"]
        func values(_ id: String) -> [Double] { dataset.values(row: dataset.row(of: id)!, names: names) }
        #expect(dataset.count == 3)
        #expect(values("o1").prefix(2) == [1, 2] && values("o1")[2].isNaN && values("o1")[3].isNaN)
        #expect(values("o2").prefix(2) == [10, 20] && values("o2")[2].isNaN)
        #expect(values("o3")[0] == 100 && values("o3")[1].isNaN && values("o3")[2] == 300)
        #expect(dataset.names.suffix(3) == ["signals.a", "signals.b", "signals.c"])
    }

    /// Past its bound the set drops the oldest unlabelled orders, moves labelled ones to the end
    /// while they fill at most half of it, and then drops the oldest labelled ones too.
    @Test func theTrainingSetKeepsLabelsAndForgetsTheOldestOrders() {
        var dataset = RiskDataset(maxOrders: 4)
        func add(_ id: String, _ value: Double, fraud: Bool? = nil) {
            var order = record(id, [("s", value)])
            order.fraud = fraud
            dataset.add(order)
        }
        add("a", 1, fraud: true)
        add("b", 2)
        add("c", 3)
        add("d", 4)
        add("e", 5)  // "a" is labelled: moved to the end; "b" leaves.
        #expect(dataset.count == 4 && dataset.labelled == 1 && dataset.frauds == 1)
        #expect(!dataset.contains("b") && dataset.contains("a") && dataset.contains("e"))
        let moved = dataset.row(of: "a")!
        #expect(dataset.values(row: moved, names: ["signals.s"]) == [1] && dataset.label(row: moved) == true)
        #expect(dataset.label(row: 0) == nil && dataset.values(row: 0, names: ["signals.s"])[0].isNaN)
        add("f", 6, fraud: false)
        add("g", 7, fraud: true)  // three labelled out of four: past half, the oldest labelled go
        #expect(dataset.count == 4)
        let (_, columns, labels) = dataset.trainingSet()
        #expect(labels.count == dataset.labelled && dataset.labelled <= 3)
        #expect(columns.last?.count == labels.count)
        #expect(dataset.contains("g") && dataset.contains("f"))
        // A signal first seen after rows left still lines up with its rows.
        add("h", 8)
        var late = record("i", [("t", 9)])
        late.fraud = false
        dataset.add(late)
        #expect(dataset.values(row: dataset.row(of: "i")!, names: ["signals.s", "signals.t"]).last == 9)
        #expect(dataset.values(row: dataset.row(of: "h")!, names: ["signals.t"])[0].isNaN)
    }

    /// Users' stats are bounded: past the threshold, users idle for a year are forgotten, and
    /// active ones never are.
    @Test func usersIdleForAYearAreForgottenOnceThereAreMany() {
        func keys(_ user: String) -> OrderHistory.Keys {
            OrderHistory.Keys(user: user, emailHash: nil, ipHash: nil, card: nil)
        }
        let later = 400 * OrderHistory.day
        for (threshold, expectForgotten) in [(64, true), (1_000_000, false)] {
            let history = OrderHistory(sweepAbove: threshold, userSweepAbove: threshold)
            for index in 0..<1000 { _ = history.record(keys("old\(index)"), amount: 10, at: 0) }
            for index in 0..<3000 { _ = history.record(keys("new\(index)"), amount: 10, at: later) }
            let forgotten = (0..<1000).filter {
                history.record(keys("old\($0)"), amount: 10, at: later + 1).userOrders == 0
            }.count
            let remembered = (0..<3000).filter {
                history.record(keys("new\($0)"), amount: 10, at: later + 2).userOrders == 1
            }.count
            #expect(expectForgotten ? forgotten > 900 : forgotten == 0, "\(threshold): \(forgotten) forgotten")
            #expect(remembered == 3000)
        }
    }

    @Test func chunksBelowTheFirstKeptElementAreReleased() {
        var array = ChunkedArray<Int>()
        let size = 1 << ChunkedArray<Int>.chunkShift
        for value in 0..<(size * 3) { array.append(value) }
        array.release(below: size * 2 + 5)
        #expect(array.released == size * 2 && array.startIndex == size * 2)
        #expect(array.first == size * 2 && array.last == size * 3 - 1 && array[size * 2 + 4] == size * 2 + 4)
        array.append(-1)
        #expect(array.count == size * 3 + 1 && array[size * 3] == -1)
    }

    /// Amounts, line prices and quantities are bounded, each refused by its own path.
    @Test func amountsPricesAndQuantitiesAreBounded() throws {
        func refusal(_ body: String) -> String? {
            do {
                _ = try OrderDecoder.decode(Array(body.utf8), now: 1_000)
                return nil
            } catch {
                if case .invalidField(let field, _) = error { return field }
                return "\(error)"
            }
        }
        #expect(refusal(#"{"order_id":"o","amount":1e12,"items":[{"item":"a","quantity":1e9,"price":1e12}]}"#) == nil)
        #expect(refusal(#"{"order_id":"o","amount":1e13}"#) == "amount")
        #expect(refusal(#"{"order_id":"o","amount":1,"items":[{"item":"a","quantity":2e9}]}"#) == "items[0].quantity")
        #expect(refusal(#"{"order_id":"o","amount":1,"items":[{"item":"a","price":1e300}]}"#) == "items[0].price")
    }

    /// The trail keeps the signals object as sent; replaying it gives back the same numbers.
    @Test func theTrailKeepsTheSignalsAsSentAndReplaysThem() throws {
        let body = Array(
            #"{"order_id":"o 1","amount":3,"signals":{ "V1" : -1.3598071336738 ,"a\"b":2e-3, "n":7 }}"#.utf8
        )
        let order = try OrderDecoder.decode(body, now: 1_000)
        #expect(order.signals.map(\.name) == ["V1", "a\"b", "n"])
        #expect(String(decoding: order.signalsJSON, as: UTF8.self) == #"{"V1":-1.3598071336738,"a\"b":2e-3,"n":7}"#)
        let risk = try OrderRisk(
            settings: RiskSettings(),
            personal: PersonalData(salt: Array(repeating: 1, count: 32)),
            logger: .init(label: "test")
        )
        let decided = risk.score(order, catalog: { _ in nil }, now: 1_000)
        let entry = AuditEntry.encode(decided)
        let replayed = try entry.withUnsafeBytes { try AuditEntry.decode($0) }
        #expect(replayed.signals.map(\.name) == order.signals.map(\.name))
        #expect(replayed.signals.map(\.value) == order.signals.map(\.value))
        #expect(replayed.derived.elementsEqual(decided.record.derived) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        // An order built in code (no request body) still gets its signals written out.
        var built = order
        built.signalsJSON = []
        var rebuilt = decided
        rebuilt.order = built
        let fromCode = try AuditEntry.encode(rebuilt).withUnsafeBytes { try AuditEntry.decode($0) }
        #expect(fromCode.signals.map(\.value) == order.signals.map(\.value))
    }
}

@Suite struct AddressKeyTests {
    @Test func addressesMatchCaseAndPunctuationBlind() {
        #expect(Order.normalizedAddress("12 Rue X, Paris") == "12 rue x paris")
        #expect(Order.normalizedAddress("  12  RUE x;paris ") == "12 rue x paris")
        #expect(Order.normalizedAddress("Königsallee 1, Köln") == "königsallee 1 köln")
        #expect(Order.normalizedAddress("--") == "--")
    }
}
