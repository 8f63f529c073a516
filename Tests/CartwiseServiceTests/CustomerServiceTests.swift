import CartwiseModels
import CartwiseService
import HTTPCore
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

private struct CustomerAnswer: Decodable {
    struct Segment: Decodable {
        var id: String
        var name: String
    }
    struct RFM: Decodable {
        var recency_days: Double
        var frequency: Double
        var monetary: Double
    }
    struct Profile: Decodable {
        struct Share: Decodable {
            var category: String
            var share: Double
        }
        var orders: Int
        var top_categories: [Share]
        var price_sensitivity: Double?
        var device: String?
        var channel: String?
        var returned_share: Double?
        var tenure_days: Int?
    }
    var customer: String
    var as_of: String
    var segment: Segment?
    var rfm: RFM?
    var p_alive: Double?
    var churn_risk: Double?
    var expected_purchases: Double?
    var expected_spend: Double?
    var clv: Double?
    var profile: Profile
}

private struct SegmentList: Decodable {
    struct Entry: Decodable {
        var id: String
        var name: String
        var size: Int
        var revenue_share: Double
    }
    var segments: [Entry]
    var segmented: Int
}

private struct Page: Decodable {
    struct Entry: Decodable {
        var customer: String
        var clv: Double?
        var churn_risk: Double?
    }
    var customers: [Entry]
    var next_offset: Int?
    var total: Int?
}

/// The customer model through HTTP, as a marketer would use it: profiles, segments, lifetime
/// value and churn risk on a small shop built event by event, the exports, and every bad
/// parameter named.
@Suite struct CustomerServiceTests {
    static let day: Int64 = 86_400_000
    /// 2025-06-01: the shop's last purchase is then some months before today.
    static let start: Int64 = 1_748_736_000_000

    /// Fifty shoppers: frequent recent buyers of shoes, occasional ones of books, one-time buyers
    /// of long ago, a frequent buyer who stopped half a year ago, and one who only looked.
    static func shop(_ client: BlockingHTTPClient) throws {
        let json = [("Content-Type", "application/json")]
        let items =
            #"{"items":[{"id":"shoe","categories":["shoes"],"price":80},"#
            + #"{"id":"book","categories":["books"],"price":20},{"id":"sock","categories":["shoes"],"price":10}]}"#
        #expect(try client.request("POST", "/items", headers: json, body: Array(items.utf8)).status == 200)
        var events: [String] = []
        func purchase(_ user: String, _ item: String, day: Int64, price: Double, discount: Bool = false) {
            let context =
                discount ? #","context":{"device":"mobile","discount":1}"# : #","context":{"device":"mobile"}"#
            events.append(
                #"{"user":"\#(user)","item":"\#(item)","type":"purchase","price":\#(price),"order_id":"\#(user)-\#(day)","timestamp":\#(Double(start + day * Self.day) / 1000)\#(context)}"#
            )
        }
        for shopper in 0..<15 {
            for visit in 0..<(8 + shopper % 5) {
                purchase(
                    "fan-\(shopper)",
                    "shoe",
                    day: Int64(visit * 20 + shopper),
                    price: 80,
                    discount: visit % 4 == 0
                )
            }
        }
        for shopper in 0..<15 {
            for visit in 0..<(2 + shopper % 2) {
                purchase("reader-\(shopper)", "book", day: Int64(60 + visit * 70 + shopper), price: 20)
            }
        }
        for shopper in 0..<19 { purchase("once-\(shopper)", "sock", day: Int64(shopper), price: 10) }
        for visit in 0..<12 { purchase("gone", "shoe", day: Int64(visit * 3), price: 72) }
        events.append(
            #"{"user":"viewer","item":"shoe","type":"view","timestamp":\#(Double(start + 200 * Self.day) / 1000)}"#
        )
        for chunk in stride(from: 0, to: events.count, by: 200) {
            let body = #"{"events":["# + events[chunk..<min(events.count, chunk + 200)].joined(separator: ",") + "]}"
            let sent = try client.request("POST", "/events", headers: json, body: Array(body.utf8))
            #expect(sent.status == 200, "\(sent.text)")
        }
        let trained = try client.request("POST", "/models/customers/train?wait=50")
        #expect(trained.status == 200, "\(trained.text)")
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ response: BlockingHTTPClient.Response) throws -> T {
        try JSONDecoder().decode(type, from: Data(response.body))
    }

    @Test func profilesSegmentsAndValueAnswerAsAMarketerExpects() throws {
        try withApplication { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            #expect(try client.request("GET", "/customers/fan-1").status == 503)
            try Self.shop(client)

            let fan = try Self.decode(CustomerAnswer.self, try client.request("GET", "/customers/fan-1"))
            #expect(fan.rfm?.frequency == 9)
            #expect(fan.profile.top_categories.first?.category == "shoes")
            #expect(fan.profile.device == "mobile")
            // Visits 0, 4 and 8 of nine were on a discount.
            #expect(abs((fan.profile.price_sensitivity ?? 0) - 3.0 / 9) < 1e-3)
            let alive = try #require(fan.p_alive)
            #expect(alive > 0 && alive <= 1 && abs((fan.churn_risk ?? 0) - (1 - alive)) < 1e-12)
            #expect(try #require(fan.clv) > 0)
            #expect(fan.segment != nil)

            // A frequent buyer silent for months is at risk; a steady one is not.
            let gone = try Self.decode(CustomerAnswer.self, try client.request("GET", "/customers/gone"))
            #expect(try #require(gone.churn_risk) > 0.9 && alive > 0.5)

            // More horizon, more purchases; more discount, less value.
            func answer(_ query: String) throws -> CustomerAnswer {
                try Self.decode(CustomerAnswer.self, try client.request("GET", "/customers/fan-1?" + query))
            }
            let month = try #require(try answer("horizon_days=30").expected_purchases)
            let year = try #require(try answer("horizon_days=365").expected_purchases)
            let decade = try #require(try answer("horizon_days=3650").expected_purchases)
            #expect(month < year && year < decade)
            #expect(
                try #require(try answer("discount_rate=0").clv) > (try #require(try answer("discount_rate=0.05").clv))
            )
            // Before their first purchase, not a customer yet; later, a longer recency.
            let before = try answer("as_of=2025-05-01")
            #expect(before.rfm == nil && before.p_alive == nil && before.as_of == "2025-05-01")
            let later = try answer("as_of=2027-06-01")
            #expect(try #require(later.rfm?.recency_days) > (try #require(fan.rfm?.recency_days)))
            #expect(try #require(later.p_alive) < alive)

            // Someone who only looked has a profile and no value figures.
            let viewer = try Self.decode(CustomerAnswer.self, try client.request("GET", "/customers/viewer"))
            #expect(viewer.rfm == nil && viewer.segment == nil && viewer.clv == nil && viewer.profile.orders == 0)

            // Segments cover every purchaser once, with distinct names and revenue shares summing to 1.
            let segments = try Self.decode(SegmentList.self, try client.request("GET", "/segments"))
            #expect(segments.segments.count >= 2)
            #expect(segments.segments.reduce(0) { $0 + $1.size } == 50 && segments.segmented == 50)
            #expect(Set(segments.segments.map(\.id)).count == segments.segments.count)
            #expect(abs(segments.segments.reduce(0) { $0 + $1.revenue_share } - 1) < 1e-9)

            // Top lists are sorted.
            let top = try Self.decode(Page.self, try client.request("GET", "/customers?sort=clv&limit=50"))
            let values = top.customers.compactMap(\.clv)
            #expect(values.count == 50 && values == values.sorted(by: >))
            let risky = try Self.decode(Page.self, try client.request("GET", "/customers?sort=churn_risk&limit=5"))
            #expect(risky.customers.first?.customer == "gone")
            let segment = segments.segments[0].id
            let filtered = try Self.decode(
                Page.self,
                try client.request("GET", "/customers?segment=\(segment)&limit=1000")
            )
            #expect(filtered.customers.count == segments.segments[0].size)
        }
    }

    /// The JSON pages, the NDJSON export and the CSV export list the same members in the same
    /// order; the exports stream (chunked), so a large segment is never built whole.
    @Test func segmentExportsMatchThePages() throws {
        try withApplication { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            try Self.shop(client)
            let segments = try Self.decode(SegmentList.self, try client.request("GET", "/segments"))
            for segment in segments.segments {
                var paged: [String] = []
                var offset: Int? = 0
                while let next = offset {
                    let page = try Self.decode(
                        Page.self,
                        try client.request("GET", "/segments/\(segment.id)/customers?limit=7&offset=\(next)")
                    )
                    paged += page.customers.map(\.customer)
                    offset = page.next_offset
                }
                let ndjson = try client.request(
                    "GET",
                    "/segments/\(segment.id)/customers",
                    headers: [("Accept", "application/x-ndjson")]
                )
                #expect(ndjson.status == 200 && ndjson.headers["Transfer-Encoding"] == "chunked")
                let lines = ndjson.text.split(separator: "\n").map { line in
                    try? JSONDecoder().decode(Page.Entry.self, from: Data(line.utf8))
                }
                let csv = try client.request(
                    "GET",
                    "/segments/\(segment.id)/customers",
                    headers: [("Accept", "text/csv")]
                )
                let rows = csv.text.split(separator: "\n")
                #expect(
                    rows.first
                        == "customer,segment,recency_days,frequency,monetary,p_alive,expected_purchases,expected_spend,clv"
                )
                let fromCSV = rows.dropFirst().map { String($0.split(separator: ",")[0]) }
                let same = paged.count == segment.size && lines.compactMap { $0?.customer } == paged && fromCSV == paged
                #expect(same, "\(segment.id): \(paged.count) paged, \(lines.count) lines, \(fromCSV.count) rows")
            }
            #expect(try client.request("GET", "/segments/nope/customers").status == 404)
        }
    }

    @Test(arguments: [
        ("/customers/nobody", 404, "nobody"),
        ("/customers/fan-1?horizon_days=0", 400, "horizon_days"),
        ("/customers/fan-1?horizon_days=3651", 400, "horizon_days"),
        ("/customers/fan-1?discount_rate=-0.1", 400, "discount_rate"),
        ("/customers/fan-1?discount_rate=2", 400, "discount_rate"),
        ("/customers/fan-1?as_of=yesterday", 400, "as_of"),
        ("/customers/fan-1?as_of=2200-01-01", 400, "as_of"),
        ("/customers?sort=revenue", 400, "sort"),
        ("/customers?limit=0", 400, "limit"),
        ("/customers?limit=1001", 400, "limit"),
        ("/customers?segment=nope", 400, "segment"),
        ("/segments/x/customers?limit=0", 404, "x"),
    ])
    func badInputIsNamed(path: String, status: Int, names: String) throws {
        try withApplication { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            try Self.shop(client)
            let answer = try client.request("GET", path)
            #expect(answer.status == status && answer.headers["Content-Type"] == "application/problem+json")
            #expect(answer.text.contains(names), "\(answer.text)")
        }
    }

    /// An erased shopper leaves the next model.
    @Test func anErasedShopperLeavesTheModel() throws {
        try withApplication { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            try Self.shop(client)
            #expect(try client.request("GET", "/customers/gone").status == 200)
            #expect(try client.request("DELETE", "/users/gone").status == 200)
            #expect(try client.request("POST", "/models/customers/train?wait=50").status == 200)
            #expect(try client.request("GET", "/customers/gone").status == 404)
        }
    }

    /// Imported orders are purchases unless labelled fraud; an order an event already
    /// describes counts once; returned units leave the spend.
    @Test func importedOrdersAndReturnsCountOnce() {
        let ledger = CustomerLedger()
        let day = Self.day
        ledger.apply([
            Event(user: "u", item: "a", type: .purchase, value: 2, price: 10, timestamp: Self.start, orderID: "o1"),
            Event(user: "u", item: "a", type: .returned, value: 1, timestamp: Self.start + 3 * day, orderID: "o1"),
        ])
        func order(_ id: String, user: String, at time: Int64, amount: Double, fraud: Bool?) -> OrderRecord {
            OrderRecord(
                id: id,
                createdAt: time,
                amount: amount,
                keys: OrderHistory.Keys(user: user, emailHash: nil, ipHash: nil, card: nil),
                derived: [],
                signals: [],
                fraud: fraud
            )
        }
        ledger.apply(orders: [
            order("o1", user: "u", at: Self.start, amount: 20, fraud: nil),
            order("o2", user: "u", at: Self.start + 10 * day, amount: 35, fraud: false),
            order("o3", user: "u", at: Self.start + 12 * day, amount: 500, fraud: true),
            order("o4", user: "v", at: Self.start, amount: 5, fraud: nil),
        ])
        guard
            let (model, report) = CustomerModelBuilder(settings: CustomerSettings()).build(
                ledger.contents,
                catalog: { _ in nil },
                clock: { 0 }
            )
        else {
            Issue.record("a build nobody cancelled returned nil")
            return
        }
        #expect(report.purchasers == 2)
        let u = Int(model.index["u"]!)
        let rfm = model.rfm(u, asOf: model.asOf)
        // o1 once (1 unit kept of 2 at 10), o2 at 35; the fraud is not a purchase.
        #expect(rfm?.frequency == 2 && rfm?.monetary == 45)
        #expect(model.profiles[u].orders == 2)
        #expect(model.profiles[u].returnedUnits == 1)
        // A build the service no longer wants stops.
        var cancelled = CustomerModelBuilder(settings: CustomerSettings())
        cancelled.isCancelled = { true }
        #expect(cancelled.build(ledger.contents, catalog: { _ in nil }, clock: { 0 }) == nil)
    }
}
