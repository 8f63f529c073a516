import CartwiseModels
import CartwiseService
import Testing

/// `/rank` hashes its items' contexts straight from the request body; the learner hashes an
/// impression's context from decoded fields. Both must give the same tokens, or a model learned
/// from events would score requests on other coordinates, and both must refuse the same input.
@Suite struct ItemContextDecoderTests {
    @Test func itemContextsHashAsTheLearnerHashesEventContexts() throws {
        var random = SeededRandom(seed: 11)
        for round in 0..<600 {
            let fields = (0..<Int.random(in: 0...5, using: &random)).map { _ in Self.validField(&random) }
            let object = "{" + fields.joined(separator: ",") + "}"
            let learned = try Self.learnedContext(object)
            // Several items, so each one's fields must be found where the request put them, and
            // names repeated from the item before (compared, not hashed) must hash the same.
            let items = [#"{"x":1}"#, object, object, #"{"x":1,"genres":"a|b"}"#, object]
            let body =
                #"{"user":"u","items":["# + items.map { #"{"item":"i","context":\#($0)}"# }.joined(separator: ",")
                + "]}"
            let request = try RankRequest(body: Array(body.utf8), now: 0)
            for index in [1, 2, 4] {
                var served = CTRFeatures.Tokens()
                served.append(request.itemContexts, fields: request.items[index].context)
                #expect(served == learned, "round \(round), item \(index): \(object)")
                #expect(request.items[index].context.count == fields.count, "round \(round): \(object)")
            }
        }
    }

    @Test func itemContextsAreRefusedAsEventContextsAre() throws {
        var random = SeededRandom(seed: 5)
        let invalid = [
            #""":1"#, "\"\(String(repeating: "n", count: 65))\":1",
            "\"s\":\"\(String(repeating: "v", count: 257))\"",
            // Written escaped: the limit is on the decoded string's characters (257, 514 bytes).
            "\"s\":\"\(String(repeating: #"\u00e9"#, count: 257))\"",
            #""nested":{"a":1}"#, #""list":[1]"#, #""flag":true"#, #""none":null"#, #""huge":1e999"#,
        ]
        for (round, bad) in invalid.enumerated() {
            let others = (0..<Int.random(in: 0...2, using: &random)).map { _ in Self.validField(&random) }
            let object = "{" + (others + [bad]).joined(separator: ",") + "}"
            try expectSameProblem(object, "\(round)")
        }
        let crowded = "{" + (0...EventDecoder.maxContextFields).map { #""f\#($0)":1"# }.joined(separator: ",") + "}"
        try expectSameProblem(crowded, "65 fields")
        try expectSameProblem(#""not an object""#, "a string")
        try expectSameProblem("[1]", "an array")
        // Exactly at the limits is accepted.
        let limits = "{\"\(String(repeating: "n", count: 64))\":\"\(String(repeating: "v", count: 256))\"}"
        let request = try RankRequest(body: Array(#"{"items":[{"item":"a","context":\#(limits)}]}"#.utf8), now: 0)
        #expect(request.items[0].context.count == 1)
    }

    /// The first problem `/rank` reports for an item's context is the one `POST /events`
    /// reports for the same object as an event's context.
    private func expectSameProblem(_ object: String, _ label: String) throws {
        let event = #"{"user":"u","item":"i","type":"impression","context":\#(object)}"#
        var problems: [FieldError] = []
        _ = try Array(event.utf8).withUnsafeBufferPointer { bytes in
            var reader = JSONReader(bytes)
            return try EventDecoder(now: 0).decode(&reader, index: 0, problems: &problems)
        }
        let expected = try #require(problems.first, "\(label): the event was accepted")
        do {
            _ = try RankRequest(body: Array(#"{"items":[{"item":"i","context":\#(object)}]}"#.utf8), now: 0)
            Issue.record("\(label): /rank accepted \(object)")
        } catch .invalidField(let field, let reason) {
            #expect(field == "items[0]." + expected.field, "\(label)")
            #expect(reason == expected.reason, "\(label)")
        } catch {
            Issue.record("\(label): \(error)")
        }
    }

    /// The context fields' tokens of an impression event with this context, as the learner
    /// hashes them.
    private static func learnedContext(_ object: String) throws -> CTRFeatures.Tokens {
        let body = #"{"user":"u","item":"i","type":"impression","context":\#(object)}"#
        var problems: [FieldError] = []
        let event = try Array(body.utf8).withUnsafeBufferPointer { bytes in
            var reader = JSONReader(bytes)
            return try EventDecoder(now: 0).decode(&reader, index: 0, problems: &problems)
        }
        let decoded = try #require(event, "\(problems)")
        var tokens = CTRFeatures.Tokens()
        CTRFeatureBuilder.impression(decoded, categories: [], into: &tokens)
        // user, hour and weekday come first, the item last.
        var context = CTRFeatures.Tokens()
        context.append(tokens, fields: 3..<(tokens.fields.count - 1))
        return context
    }

    /// One `"name": value` member: ASCII, non-ASCII and escaped names and strings, `|`-separated
    /// values (with empty parts), and integers, fractions, negatives and exponents.
    private static func validField(_ random: inout SeededRandom) -> String {
        let names = ["device", "genres", "release_year", "a_rather_long_field_name", "é-name", "q\"uote", "x"]
        let strings = [
            "mobile", "", "Action|Adventure|Thriller", "|lead", "trail|", "a||b", "|", "Crème brûlée",
            "slash/back\\slash", "tab\tnewline\n", "数据|データ", String(repeating: "long-", count: 40),
        ]
        let numbers = ["0", "2", "2.5", "37", "-12", "4095", "4096.5", "1e300", "-0.001", "123456789012"]
        let name = literal(names[Int.random(in: 0..<names.count, using: &random)], &random)
        let value =
            Bool.random(using: &random)
            ? literal(strings[Int.random(in: 0..<strings.count, using: &random)], &random)
            : numbers[Int.random(in: 0..<numbers.count, using: &random)]
        return name + ":" + value
    }

    /// A JSON string literal, some characters written as `\u` escapes at random (ASCII letters
    /// too, so that plain-looking strings also take the decoding path).
    private static func literal(_ text: String, _ random: inout SeededRandom) -> String {
        let escapeSome = Int.random(in: 0..<3, using: &random) == 0
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if escapeSome && Bool.random(using: &random) {
                    for unit in String(scalar).utf16 { out += "\\u" + hex(unit) }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ unit: UInt16) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<4).map { digits[Int(unit >> (12 - 4 * $0)) & 0xF] })
    }
}
