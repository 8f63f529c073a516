import CartwiseModels
import CartwiseService
import HTTPCore
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

private let json = [("Content-Type", "application/json")]

private func startForecasting(_ directory: String, refreshSeconds: Int = 1) throws -> Application {
    let configuration = try ConfigurationLoader(
        flags: [
            ("server.port", "0"), ("server.threads", "1"), ("data_dir", directory),
            ("trainer.min_new_events", "1000000"), ("forecast.refresh_interval_s", String(refreshSeconds)),
        ]
    ).load()
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return try Application.start(configuration: configuration, logger: logger)
}

/// A monthly series with a season (three years), as `POST /series` takes it.
private func monthlyBody(id: String, months: Int = 36) -> String {
    let shape = [0.8, 0.9, 1.1, 1.3, 1.2, 1.0, 0.9, 0.8, 0.95, 1.05, 1.0, 1.0]
    let points = (0..<months).map { t in
        let year = 2023 + t / 12
        let month = t % 12 + 1
        let value = ((100 + Double(t)) * shape[t % 12] * (1 + 0.02 * Double((t * 7) % 5 - 2))).rounded()
        return #"{"t":"\#(year)-\#(month < 10 ? "0" : "")\#(month)-01","value":\#(value)}"#
    }
    return #"{"id":"\#(id)","frequency":"month","points":[\#(points.joined(separator: ","))]}"#
}

/// Posts NDJSON events and returns the answer.
private func postEvents(_ client: BlockingHTTPClient, _ lines: [String]) throws -> BlockingHTTPClient.Response {
    try client.request(
        "POST",
        "/events",
        headers: [("Content-Type", "application/x-ndjson")],
        body: Array(lines.joined(separator: "\n").utf8)
    )
}

private func waitFor(_ client: BlockingHTTPClient, _ path: String) throws -> BlockingHTTPClient.Response? {
    for _ in 0..<3000 {
        let response = try client.request("GET", path)
        if response.status == 200 { return response }
        usleep(10_000)
    }
    return nil
}

@Suite(.serialized) struct ForecastServiceTests {
    /// A purchase dated in 2099 is not history yet: an item's daily demand ends today, so one
    /// such event cannot give every item 27,000 days to fit (a refit of many minutes).
    @Test func aFutureDatedPurchaseDoesNotStretchHistory() throws {
        let store = SeriesStore(maxHistory: 100_000)
        let today = WallClock.milliseconds()
        let day: Int64 = 86_400_000
        store.observer.events([
            Event(user: "u", item: "now", type: .purchase, value: 2, timestamp: today - 9 * day),
            Event(user: "u", item: "now", type: .purchase, value: 3, timestamp: today),
            Event(user: "u", item: "now", type: .purchase, value: 5, timestamp: Timestamp.maximum - 1),
            Event(user: "u", item: "later", type: .purchase, value: 1, timestamp: Timestamp.maximum - 1),
        ])
        let now = try #require(store.input("now"))
        #expect(now.values.count == 10 && now.values.first == 2 && now.values.last == 3, "\(now.values.suffix(3))")
        let later = try #require(store.input("later"))
        #expect(later.values == [1])
    }

    /// Purchases with a price give an item's demand a `price` covariate (the day's
    /// quantity-weighted mean, carried over days without a sale); an item's first priced
    /// purchase once crashed the event thread.
    @Test func pricedPurchasesBecomeAPriceCovariate() throws {
        let store = SeriesStore(maxHistory: 100_000)
        let day: Int64 = 86_400_000
        let start = WallClock.milliseconds() - 6 * day
        store.observer.events([
            Event(user: "u", item: "tea", type: .purchase, value: 1, price: 4, timestamp: start),
            Event(user: "u", item: "tea", type: .purchase, value: 3, price: 2, timestamp: start),
            Event(user: "u", item: "tea", type: .purchase, value: 2, price: 5, timestamp: start + 3 * day),
        ])
        let input = try #require(store.input("tea"))
        let covariates = try #require(input.covariates)
        #expect(covariates.names == ["price"] && covariates.logged == [true])
        #expect(covariates.history[0].prefix(4) == [2.5, 2.5, 2.5, 5], "\(covariates.history[0])")
        // Unplanned, the price stays at its last value.
        #expect(covariates.future[0].allSatisfy { $0 == 5 })
    }

    @Test func badSeriesAndQueriesNameTheField() throws {
        let application = try startForecasting(temporaryDirectory())
        defer { application.shutdown() }
        let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
        let cases: [(String, String)] = [
            (#"{"id":"a","frequency":"fortnight","points":[{"t":1,"value":1}]}"#, "frequency"),
            (#"{"id":"a","frequency":"month","points":[]}"#, "points"),
            (#"{"id":"a","frequency":"month","points":[{"t":"2026-02-30","value":1}]}"#, "points[0].t"),
            (#"{"id":"a","frequency":"month","points":[{"t":1,"value":"x"}]}"#, "points[0].value"),
            (
                #"{"id":"a","frequency":"month","points":[{"t":1,"value":1},{"t":"2026-01-01","value":1}]}"#,
                "points[1].t"
            ),
            (#"{"series":[{"id":"a","frequency":"month","points":[{"t":1}]}]}"#, "series[0].points[0].value"),
            (#"{"frequency":"month","points":[{"t":1,"value":1}]}"#, "id"),
            (#"[1,2]"#, "(body)"),
        ]
        for (body, field) in cases {
            let response = try client.request("POST", "/series", headers: json, body: Array(body.utf8))
            #expect(response.status == 400, "\(body): \(response.text)")
            #expect(response.text.contains("'\(field)'"), "\(body): \(response.text)")
        }
        #expect(try client.request("GET", "/forecast").status == 400)
        #expect(try client.request("GET", "/forecast?item=nothing").status == 404)
        let accepted = try client.request("POST", "/series", headers: json, body: Array(monthlyBody(id: "s1").utf8))
        #expect(accepted.status == 202, "\(accepted.text)")
        // A series keeps its frequency.
        let other = #"{"id":"s1","frequency":"week","points":[{"t":"2026-01-05","value":3}]}"#
        let refused = try client.request("POST", "/series", headers: json, body: Array(other.utf8))
        #expect(refused.status == 409 && refused.text.contains("frequency"), "\(refused.text)")
        _ = try #require(try waitFor(client, "/forecast?item=s1"))
        for query in [
            "horizon=0", "horizon=37", "levels=0", "levels=80,100", "levels=a", "levels=99.99999999999999",
            "levels=80,80,80,80,80,80",
        ] {
            let response = try client.request("GET", "/forecast?item=s1&" + query)
            #expect(response.status == 400, "\(query): \(response.text)")
        }
        // Nearer 100 % than 99.9999, the normal quantile is infinite and the interval was NaN.
        let tooWide = #"{"items":["s1"],"levels":[80,99.99999999999999]}"#
        let batch = try client.request("POST", "/forecast/batch", headers: json, body: Array(tooWide.utf8))
        #expect(batch.status == 400 && batch.text.contains("levels[1]"), "\(batch.text)")
        for query in ["", "&lead_time=-1", "&lead_time=1&service_level=1.2", "&lead_time=1&order_cost=5"] {
            let response = try client.request("GET", "/inventory/policy?item=s1" + query)
            #expect(response.status == 400, "\(query): \(response.text)")
        }
    }

    /// Upload, forecast with dated periods and intervals, revalidate with the ETag, batch, policy,
    /// and a restart that replays the series log.
    @Test func uploadForecastRevalidateAndReplay() throws {
        let directory = temporaryDirectory()
        var tag = ""
        do {
            let application = try startForecasting(directory)
            defer { application.shutdown() }
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
            let bulk = #"{"series":[\#(monthlyBody(id: "sku-1")),\#(monthlyBody(id: "sku-2", months: 30))]}"#
            let accepted = try client.request("POST", "/series", headers: json, body: Array(bulk.utf8))
            #expect(accepted.status == 202 && accepted.text.contains(#""accepted_series":2"#), "\(accepted.text)")
            let response = try #require(try waitFor(client, "/forecast?item=sku-1&horizon=3&levels=80,95,99.5"))
            let text = response.text
            #expect(text.contains(#""frequency":"month""#), "\(text)")
            #expect(text.contains(#""t":"2026-01-01""#) && text.contains(#""t":"2026-03-01""#), "\(text)")
            #expect(text.contains(#""lo99.5":"#) && text.contains(#""backtest":{"horizon":"#), "\(text)")
            #expect(text.contains(#""model":"ETS("#), "\(text)")
            tag = try #require(response.headers["ETag"])
            #expect(response.headers["Cache-Control"]?.hasPrefix("max-age=") == true)
            let cached = try client.request(
                "GET",
                "/forecast?item=sku-1&horizon=3&levels=80,95,99.5",
                headers: [("If-None-Match", tag)]
            )
            #expect(cached.status == 304 && cached.body.isEmpty)
            let batch = try client.request(
                "POST",
                "/forecast/batch",
                headers: json,
                body: Array(#"{"items":["sku-1","sku-2","ghost"],"horizon":2}"#.utf8)
            )
            #expect(batch.status == 200 && batch.text.contains(#""missing":["ghost"]"#), "\(batch.text)")
            #expect(batch.text.components(separatedBy: #""item":"#).count == 3, "\(batch.text)")
            let policy = try client.request(
                "GET",
                "/inventory/policy?item=sku-1&lead_time=2&review_period=1&on_hand=50&holding_cost=0.2&order_cost=30&critical_ratio=0.7"
            )
            #expect(policy.status == 200, "\(policy.text)")
            for field in [
                "safety_stock", "reorder_point", "order_up_to", "eoq", "recommended_order_qty",
                "lead_time_demand", "expected_fill_rate", "stockout_probability", "schedule", "newsvendor",
            ] {
                #expect(policy.text.contains(#""\#(field)":"#), "\(field): \(policy.text)")
            }
            #expect(policy.text.contains(#""method":"periodic_review_R_S""#))
        }
        let application = try startForecasting(directory)
        defer { application.shutdown() }
        let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
        let again = try #require(try waitFor(client, "/forecast?item=sku-2&horizon=2"))
        #expect(again.text.contains(#""observations":30"#), "\(again.text)")
        // A new fit is a new representation: the old tag no longer matches.
        let fresh = try client.request(
            "GET",
            "/forecast?item=sku-1&horizon=3&levels=80,95,99.5",
            headers: [("If-None-Match", tag)]
        )
        #expect(fresh.status == 200)
    }

    /// A series uploaded, or an item first purchased, after the trainer's last refit is answered
    /// on the first request: the on-demand thread fits it, instead of a 503 until the trainer
    /// gets there. And the trainer's incremental refits pick up new items without any request.
    @Test func newSeriesAreAnsweredOnTheFirstRequest() throws {
        let application = try startForecasting(temporaryDirectory(), refreshSeconds: 3600)
        defer { application.shutdown() }
        let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
        #expect(try waitFor(client, "/models/forecast") != nil)
        let upload = try client.request("POST", "/series", headers: json, body: Array(monthlyBody(id: "fresh").utf8))
        #expect(upload.status == 202, "\(upload.text)")
        let forecast = try client.request("GET", "/forecast?item=fresh&horizon=2")
        #expect(forecast.status == 200 && forecast.text.contains(#""model":"ETS("#), "\(forecast.text)")

        let day = 86_400
        let start = Int(Date().timeIntervalSince1970) - 10 * day
        let lines = (0..<10).map { t in
            #"{"user":"u1","item":"lamp-\#(t % 2)","type":"purchase","value":2,"timestamp":\#(start + t * day)}"#
        }
        let posted = try postEvents(client, lines)
        #expect(posted.status == 200, "\(posted.text)")
        let policy = try client.request("GET", "/inventory/policy?item=lamp-0&lead_time=3")
        #expect(policy.status == 200 && policy.text.contains(#""reorder_point":"#), "\(policy.text)")
        let batch = try client.request(
            "POST",
            "/forecast/batch",
            headers: json,
            body: Array(#"{"items":["lamp-1","fresh","ghost"],"horizon":2}"#.utf8)
        )
        #expect(batch.status == 200 && batch.text.contains(#""missing":["ghost"]"#), "\(batch.text)")
        #expect(try client.request("GET", "/forecast?item=ghost").status == 404)

        // Nobody asks for lamp-2: the trainer's next incremental refit fits it all the same.
        let more = #"{"user":"u2","item":"lamp-2","type":"purchase","value":1,"timestamp":\#(start)}"#
        let morePosted = try postEvents(client, [more])
        #expect(morePosted.status == 200, "\(morePosted.text)")
        var current = false
        for _ in 0..<1500 where !current {
            current = try client.request("GET", "/models/forecast").text.contains(#""current":true"#)
            if !current { usleep(10_000) }
        }
        #expect(current)
        #expect(application.feature(ForecastFeature.self)!.forecaster.entry("lamp-2") != nil)
    }

    /// Daily demand per item comes from purchase events (quantity = value).
    @Test func purchasesBecomeDailyDemand() throws {
        let application = try startForecasting(temporaryDirectory())
        defer { application.shutdown() }
        let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
        let start = Int(Date().timeIntervalSince1970) - 60 * 86_400
        var lines: [String] = []
        for day in 0..<60 where day % 2 == 0 {
            lines.append(
                #"{"user":"u\#(day % 5)","item":"mug","type":"purchase","value":\#(day % 3 + 1),"timestamp":\#(start + day * 86_400)}"#
            )
        }
        let posted = try postEvents(client, lines)
        #expect(posted.status == 200, "\(posted.text)")
        let response = try #require(try waitFor(client, "/forecast?item=mug&horizon=7"))
        #expect(response.text.contains(#""frequency":"day""#) && response.text.contains(#""source":"purchase_events""#))
        #expect(response.text.contains(#""observations":59"#), "\(response.text)")
    }

    /// Time sanity, the uploads' namespace, deletion and what a planner reads: a 2099 event or
    /// series point is refused naming the field; an upload under a purchased item's id needs
    /// replace=true; DELETE /series/{id} gives the item its purchase history back, durably; an
    /// item bought once is "insufficient" with a wide interval; stock rises with the service
    /// level and orders are whole units.
    @Test func timeSanityNamespaceAndDeletion() throws {
        let directory = temporaryDirectory()
        do {
            let application = try startForecasting(directory)
            defer { application.shutdown() }
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
            let future = #"{"user":"u","item":"mug","type":"purchase","timestamp":"2099-06-01T00:00:00Z"}"#
            let refused = try postEvents(client, [future])
            #expect(refused.status == 400 && refused.text.contains("timestamp"), "\(refused.text)")
            let point =
                #"{"id":"far","frequency":"day","points":[{"t":"2026-01-01","value":1},{"t":"2099-01-01","value":2}]}"#
            let late = try client.request("POST", "/series", headers: json, body: Array(point.utf8))
            #expect(late.status == 400 && late.text.contains("'points[1].t'"), "\(late.text)")
            let now = Int(Date().timeIntervalSince1970)
            var lines: [String] = []
            for day in 0..<90 where day % 3 == 0 {
                lines.append(
                    #"{"user":"u","item":"mug","type":"purchase","value":\#(day % 2 + 1),"timestamp":\#(now - (90 - day) * 86_400)}"#
                )
            }
            lines.append(#"{"user":"u","item":"once","type":"purchase","value":2,"timestamp":\#(now - 3_600)}"#)
            #expect(try postEvents(client, lines).status == 200)
            let mug = try #require(try waitFor(client, "/forecast?item=mug&horizon=3&levels=50,80,95"))
            #expect(mug.text.contains(#""source":"purchase_events""#), "\(mug.text)")
            let once = try #require(try waitFor(client, "/forecast?item=once&levels=95"))
            #expect(once.text.contains(#""history":"insufficient""#), "\(once.text)")
            #expect(!once.text.contains(#""lo95":2,"hi95":2"#), "\(once.text)")
            // An upload would hide the mug's purchase history.
            let body = Array(monthlyBody(id: "mug").utf8)
            let hidden = try client.request("POST", "/series", headers: json, body: body)
            #expect(hidden.status == 409 && hidden.text.contains("'id'") && hidden.text.contains("replace=true"))
            #expect(try client.request("POST", "/series?replace=true", headers: json, body: body).status == 202)
            // Until the trainer refits it, the previous fit answers.
            var uploaded = false
            for _ in 0..<3000 where !uploaded {
                uploaded = try client.request("GET", "/forecast?item=mug").text.contains(#""source":"uploaded""#)
                if !uploaded { usleep(10_000) }
            }
            #expect(uploaded)
            // Stock rises strictly with the service level; orders are whole units.
            var previous = -Double.infinity
            for level in ["0.8", "0.9", "0.95"] {
                let policy = try client.request("GET", "/inventory/policy?item=mug&lead_time=2&service_level=\(level)")
                struct Policy: Decodable {
                    var reorder_point: Double
                    var recommended_order_qty: Double
                }
                let object = try JSONDecoder().decode(Policy.self, from: Data(policy.body))
                #expect(object.reorder_point > previous, "\(level): \(policy.text)")
                previous = object.reorder_point
                #expect(object.recommended_order_qty == object.recommended_order_qty.rounded())
            }
            #expect(try client.request("DELETE", "/series/nothing").status == 404)
            #expect(try client.request("DELETE", "/series/mug").status == 204)
            var back = false
            for _ in 0..<500 {
                let answer = try client.request("GET", "/forecast?item=mug")
                if answer.status == 200 && answer.text.contains(#""source":"purchase_events""#) {
                    back = true
                    break
                }
                usleep(10_000)
            }
            #expect(back, "the item's purchase history did not come back")
        }
        // The deletion is in the series log: a restart keeps the purchase history.
        let application = try startForecasting(directory)
        defer { application.shutdown() }
        let client = try BlockingHTTPClient(port: application.server.port, timeout: 30)
        let after = try #require(try waitFor(client, "/forecast?item=mug"))
        #expect(after.text.contains(#""source":"purchase_events""#), "\(after.text)")
    }
}
