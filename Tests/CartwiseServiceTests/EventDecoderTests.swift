import CartwiseService
import HTTPCore
import Testing

private func decodeEvents(
    _ body: String,
    contentType: String = "application/json",
    maxEntries: Int = 100
) throws(IngestError)
    -> [Event]
{
    let decoder = EventDecoder(now: 1_000)
    return try BatchDecoder(kind: "events", maxEntries: maxEntries).decode(Array(body.utf8), contentType: contentType) {
        (reader, index, problems) throws(JSONReader.SyntaxError) in
        try decoder.decode(&reader, index: index, problems: &problems)
    }
}

private func problems(_ body: String, contentType: String = "application/json") -> [FieldError] {
    do {
        _ = try decodeEvents(body, contentType: contentType)
        Issue.record("expected the batch to be rejected")
        return []
    } catch {
        guard case .invalid(_, let errors, _, _) = error else {
            Issue.record("expected invalid, got \(error)")
            return []
        }
        return errors
    }
}

@Suite struct EventDecoderTests {
    /// Limits count characters, as `maxLength` in openapi.yaml does: 256 four-byte characters
    /// (1,024 bytes) are a valid id, 257 are not; 64-character context names likewise.
    @Test func lengthLimitsCountCharactersNotBytes() throws {
        let wide = "\u{1F600}"
        let id = String(repeating: wide, count: 256)
        let name = String(repeating: "\u{4E2D}", count: 64)
        let value = String(repeating: wide, count: 256)
        let accepted = try decodeEvents(
            #"{"events":[{"user":"\#(id)","item":"i","type":"view","context":{"\#(name)":"\#(value)"}}]}"#
        )
        #expect(accepted.first?.user == id && accepted.first?.context.count == 1)
        let tooLong = problems(#"{"events":[{"user":"\#(id + wide)","item":"i","type":"view"}]}"#)
        #expect(tooLong.map(\.field) == ["user"] && tooLong.first?.reason.contains("characters") == true)
        let longName = problems(
            #"{"events":[{"user":"u","item":"i","type":"view","context":{"\#(name + "x")":1}}]}"#
        )
        #expect(longName.count == 1 && longName.first?.field.hasPrefix("context.") == true)
        let escaped = String(repeating: #"\ud83d\ude00"#, count: 256)
        #expect(try decodeEvents(#"{"events":[{"user":"\#(escaped)","item":"i","type":"view"}]}"#).count == 1)
    }

    /// Two purchases of 1e308 on one day summed to infinity and made the item's forecast NaN;
    /// quantities and prices are bounded so that every sum the models form stays finite.
    @Test func quantitiesAndPricesAreBounded() throws {
        let ok = try decodeEvents(#"{"events":[{"user":"u","item":"i","type":"purchase","value":1e9,"price":1e12}]}"#)
        #expect(ok.first?.value == 1e9 && ok.first?.price == 1e12)
        let huge = problems(#"{"events":[{"user":"u","item":"i","type":"purchase","value":1e308}]}"#)
        #expect(huge.map(\.field) == ["value"] && huge.first?.reason.contains("1e9") == true)
        #expect(problems(#"{"events":[{"user":"u","item":"i","type":"view","value":-2e9}]}"#).map(\.field) == ["value"])
        let price = problems(#"{"events":[{"user":"u","item":"i","type":"purchase","price":1.5e12}]}"#)
        #expect(price.map(\.field) == ["price"] && price.first?.reason.contains("1e12") == true)
    }

    @Test func decodesEveryField() throws {
        let events = try decodeEvents(
            #"{"events":[{"user":"u1","item":"sku-1","type":"purchase","value":2,"price":19.5,"#
                + #""timestamp":"2026-01-31T12:00:00Z","order_id":"o-9","context":{"device":"mobile","position":3}},"#
                + #"{"user":"u\u00e9","item":"i","type":"view","timestamp":874724710}]}"#
        )
        #expect(events.count == 2)
        #expect(
            events[0]
                == Event(
                    user: "u1",
                    item: "sku-1",
                    type: .purchase,
                    value: 2,
                    price: 19.5,
                    timestamp: 1_769_860_800_000,
                    orderID: "o-9",
                    context: [
                        ContextField(name: "device", value: .string("mobile")),
                        ContextField(name: "position", value: .number(3)),
                    ]
                )
        )
        #expect(events[1].user == "ué")
        #expect(events[1].value == 1)
        #expect(events[1].timestamp == 874_724_710_000)
    }

    @Test func defaultsTimestampToServerTime() throws {
        #expect(try decodeEvents(#"{"events":[{"user":"u","item":"i","type":"click"}]}"#)[0].timestamp == 1_000)
    }

    @Test func ndjsonIsOneEventPerLine() throws {
        let body =
            "{\"user\":\"a\",\"item\":\"x\",\"type\":\"view\"}\n\n{\"user\":\"b\",\"item\":\"y\",\"type\":\"rating\",\"value\":4}\n"
        let events = try decodeEvents(body, contentType: "application/x-ndjson")
        #expect(events.map(\.user) == ["a", "b"])
        #expect(events[1].value == 4)
    }

    /// Each rule, and the field it must name.
    static let invalid: [(String, String)] = [
        (#"{"item":"i","type":"view"}"#, "user"),
        (#"{"user":"","item":"i","type":"view"}"#, "user"),
        (#"{"user":1,"item":"i","type":"view"}"#, "user"),
        (#"{"user":"u","type":"view"}"#, "item"),
        (#"{"user":"u","item":"i"}"#, "type"),
        (#"{"user":"u","item":"i","type":"like"}"#, "type"),
        (#"{"user":"u","item":"i","type":"view","value":"1"}"#, "value"),
        (#"{"user":"u","item":"i","type":"purchase","value":0}"#, "value"),
        (#"{"user":"u","item":"i","type":"view","price":-1}"#, "price"),
        (#"{"user":"u","item":"i","type":"view","timestamp":"yesterday"}"#, "timestamp"),
        (#"{"user":"u","item":"i","type":"view","timestamp":-5}"#, "timestamp"),
        // Just before 1970: rounds to 0 ms, but the value sent is out of range.
        (#"{"user":"u","item":"i","type":"view","timestamp":-1.192092896e-07}"#, "timestamp"),
        (#"{"user":"u","item":"i","type":"view","timestamp":"2026-02-30T00:00:00Z"}"#, "timestamp"),
        (#"{"user":"u","item":"i","type":"view","context":{"a":{"b":1}}}"#, "context.a"),
        (#"{"user":"u","item":"i","type":"view","context":[1]}"#, "context"),
        (#"{"user":"u","item":"i","type":"view","colour":"red"}"#, "colour"),
        (#"{"user":"u","item":"i","type":"view","clicked":"yes"}"#, "clicked"),
    ]

    @Test(arguments: invalid)
    func eachRuleNamesItsField(event: String, field: String) {
        let found = problems(#"{"events":[{"user":"ok","item":"ok","type":"view"},"# + event + "]}")
        #expect(found.first?.index == 1)
        #expect(found.first?.field == field, "\(event)")
    }

    @Test func longIdentifiersAreRejected() {
        let long = String(repeating: "x", count: 257)
        #expect(problems(#"{"events":[{"user":""# + long + #"","item":"i","type":"view"}]}"#).first?.field == "user")
        let fits = String(repeating: "x", count: 256)
        #expect(throws: Never.self) {
            try decodeEvents(#"{"events":[{"user":""# + fits + #"","item":"i","type":"view"}]}"#)
        }
    }

    @Test func allProblemsAreListedUpToAHundred() throws {
        let bad = (0..<150).map { _ in #"{"user":"u","item":"i","type":"bogus"}"# }.joined(separator: ",")
        do {
            _ = try decodeEvents(#"{"events":["# + bad + "]}", maxEntries: 1000)
            Issue.record("accepted")
        } catch {
            guard case .invalid(_, let errors, let total, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(errors.count == 100)
            #expect(total == 150)
            #expect(errors.map(\.index) == (0..<100).map { Optional($0) })
            let response = error.makeResponse()
            #expect(response.status.code == 400)
            let body = String(decoding: response.body, as: UTF8.self)
            #expect(body.contains(#""errors":[{"index":0,"field":"type""#))
            #expect(body.contains(#""invalid_count":150"#))
        }
    }

    @Test func framingErrors() {
        #expect(throws: IngestError.self) { try decodeEvents("{\"events\": [") }
        #expect(throws: IngestError.self) { try decodeEvents(#"{"events":[]}"#) }
        #expect(throws: IngestError.self) { try decodeEvents(#"{"evnts":[]}"#) }
        #expect(throws: IngestError.self) { try decodeEvents(#"{"events":{}}"#) }
        #expect(throws: IngestError.self) { try decodeEvents("a,b", contentType: "text/csv") }
        let many = (0..<3).map { _ in #"{"user":"u","item":"i","type":"view"}"# }.joined(separator: ",")
        #expect(throws: IngestError.tooManyEntries(kind: "events", count: 3, limit: 2)) {
            try decodeEvents(#"{"events":["# + many + "]}", maxEntries: 2)
        }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: IngestError.self) {
            try decodeEvents(#"{"events":[{"user":"u","item":"i","type":"view","context":{"x":"# + deep + "}}]}")
        }
    }

    @Test func timestampsMatchPython() {
        // References from Python's datetime.fromisoformat(...).timestamp().
        #expect(Timestamp.parse("2026-01-31T12:00:00Z") == 1_769_860_800_000)
        #expect(Timestamp.parse("2026-01-31T12:00:00.250+02:00") == 1_769_853_600_250)
        #expect(Timestamp.parse("2024-02-29T23:59:59.999-05:30") == 1_709_270_999_999)
        #expect(Timestamp.parse("2000-01-01") == 946_684_800_000)
        #expect(Timestamp.parse("2026-13-01T00:00:00Z") == nil)
        #expect(Timestamp.parse("2026-01-01T00:00:00") == nil)
        #expect(Timestamp.format(874_724_710_000) == "1997-09-20T03:05:10Z")
        #expect(Timestamp.format(1_769_853_600_250) == "2026-01-31T10:00:00.250Z")
        #expect(Timestamp.daysFromCivil(2026, 11, 1) == 20_758)
        for day in stride(from: -1000, to: 60_000, by: 37) {
            let (year, month, dayOfMonth) = Timestamp.civilFromDays(day)
            #expect(Timestamp.daysFromCivil(year, month, dayOfMonth) == day)
        }
    }

    @Test func recordCodecRoundTrips() throws {
        let events = [
            Event(user: "u", item: "i", type: .impression, value: 1, timestamp: 5, impressionID: "imp", clicked: true),
            Event(
                user: "ü",
                item: "x",
                type: .purchase,
                value: 3,
                price: 9.99,
                timestamp: -1,
                orderID: "o",
                context: [ContextField(name: "k", value: .number(2.5)), ContextField(name: "s", value: .string("v"))]
            ),
        ]
        let payload = RecordCodec.encode(events: events)
        #expect(try payload.withUnsafeBytes { try RecordCodec.decodeEvents($0) } == events)
        let items = [Item(id: "a", title: "T", categories: ["c1", "c2"], price: 1.5, available: false, stock: 3)]
        #expect(try RecordCodec.encode(items: items).withUnsafeBytes { try RecordCodec.decodeItems($0) } == items)
        #expect(throws: BinaryReader.Truncated.self) {
            try Array(payload.dropLast(3)).withUnsafeBytes { try RecordCodec.decodeEvents($0) }
        }
    }
}
