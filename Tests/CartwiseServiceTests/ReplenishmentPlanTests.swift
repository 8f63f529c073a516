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

private func startService(_ directory: String) throws -> Application {
    let configuration = try ConfigurationLoader(
        flags: [
            ("server.port", "0"), ("server.threads", "1"), ("data_dir", directory),
            ("trainer.min_new_events", "1000000"), ("forecast.models", "ets"),
        ]
    ).load()
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return try Application.start(configuration: configuration, logger: logger)
}

/// A weekly series of steady demand around `level`, with `price` and `deal` covariates when
/// asked: a deal every fifth week lifts sales by 60 % at a 20 % lower price.
private func weeklyBody(id: String, level: Double, weeks: Int = 80, covariates: Bool = false) -> String {
    let points = (1...weeks).map { t in
        let deal = t % 5 == 3
        let wobble = 1 + 0.05 * Double((t * 7) % 5 - 2)
        var value = level * wobble * (covariates && deal ? 1.6 : 1)
        value = (value * 10).rounded() / 10
        var point = #"{"t":\#(t),"value":\#(value)"#
        if covariates { point += #","price":\#(deal ? 2.0 : 2.5),"deal":\#(deal ? 1 : 0)"# }
        return point + "}"
    }
    return #"{"id":"\#(id)","frequency":"week","season_length":1,"points":[\#(points.joined(separator: ","))]}"#
}

private func waitForFit(_ client: BlockingHTTPClient, _ ids: [String]) throws {
    for id in ids {
        var fitted = false
        for _ in 0..<3000 where !fitted {
            fitted = try client.request("GET", "/forecast?item=\(id)").status == 200
            if !fitted { usleep(10_000) }
        }
        #expect(fitted, "\(id) was not fitted")
    }
}

/// Every number after `"key":` in the text, in order.
private func numbers(_ text: some StringProtocol, _ key: String) -> [Double] {
    text.split(separator: "\"\(key)\":", omittingEmptySubsequences: false).dropFirst().compactMap {
        Double($0.prefix { "0123456789.-e".contains($0) })
    }
}

private func number(_ text: String, _ key: String) -> Double? { numbers(text, key).first }

@Suite(.serialized) struct ReplenishmentPlanTests {
    @Test func planOrdersCasesUnderTheConstraintsAndNamesBadFields() throws {
        let application = try startService(temporaryDirectory())
        defer { application.shutdown() }
        let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
        let bulk = #"{"series":[\#(weeklyBody(id: "a", level: 100)),\#(weeklyBody(id: "b", level: 40))]}"#
        #expect(try client.request("POST", "/series", headers: json, body: Array(bulk.utf8)).status == 202)
        try waitForFit(client, ["a", "b"])
        func plan(_ body: String) throws -> BlockingHTTPClient.Response {
            try client.request("POST", "/plans/replenishment", headers: json, body: Array(body.utf8))
        }
        let skus =
            #"[{"item":"a","on_hand":50,"unit_cost":4,"case_pack":12,"lead_time":1},{"item":"b","unit_cost":9,"case_pack":6,"min_order":30,"lead_time":2}]"#
        // Without constraints: whole cases, minimums kept, the service level met at the horizon.
        let free = try plan(#"{"skus":\#(skus),"horizon":8,"service_level":0.95}"#)
        #expect(free.status == 200, "\(free.text)")
        #expect(free.text.contains(#""status":"optimal""#), "\(free.text)")
        #expect(!free.text.contains(#""cases":0,"#), "\(free.text)")
        #expect((number(free.text, "service_level_at_horizon") ?? 0) > 0.85, "\(free.text)")
        // Stock grows with the service level.
        let low = try plan(#"{"skus":\#(skus),"horizon":8,"service_level":0.6}"#)
        let units = { (text: String) in numbers(text, "units").reduce(0, +) }
        #expect(units(low.text) < units(free.text), "\(units(low.text)) vs \(units(free.text))")
        // A budget below the free plan's spend binds, is kept, and is worth relaxing.
        let tight = try plan(#"{"skus":\#(skus),"horizon":8,"budget":300}"#)
        #expect(tight.status == 200, "\(tight.text)")
        #expect(
            tight.text.contains(#""constraint":"budget""#) && tight.text.contains(#""binding":true"#),
            "\(tight.text)"
        )
        #expect((number(tight.text, "value_of_relaxing") ?? 0) > 0, "\(tight.text)")
        let spendList = tight.text.split(separator: #""spend":["#).last ?? ""
        for spend in numbers(spendList.split(separator: "]").first ?? "", "cost") { #expect(spend <= 300 + 1e-6) }
        // The LP relaxation is available, and its expected cost is a bound on the plan's.
        let relaxed = try plan(#"{"skus":\#(skus),"horizon":8,"budget":300,"relaxation":true}"#)
        #expect((number(relaxed.text, "objective") ?? .infinity) <= (number(tight.text, "objective") ?? 0) + 1e-6)
        // The program itself, for another solver.
        let mps = try client.request(
            "POST",
            "/plans/replenishment?format=mps",
            headers: json,
            body: Array(#"{"skus":\#(skus)}"#.utf8)
        )
        #expect(mps.status == 200 && mps.text.hasPrefix("NAME replenishment") && mps.text.contains("ENDATA"))
        // Bad input names the field; a capacity the stock on hand already breaks is a 422.
        let bad: [(String, Int, String)] = [
            (#"{"skus":[{"item":"a","case_pack":0}]}"#, 400, "skus[0].case_pack"),
            (#"{"skus":[{"item":"a","lead_time":-1}]}"#, 400, "skus[0].lead_time"),
            (#"{"skus":[{"item":"a"},{"item":"a"}]}"#, 400, "skus[1].item"),
            (#"{"skus":[{"item":"nope"}]}"#, 400, "skus[0].item"),
            (#"{"skus":[]}"#, 400, "skus"),
            (#"{"skus":[{"item":"a"}],"service_level":1.5}"#, 400, "service_level"),
            (#"{"skus":[{"item":"a"}],"budget":-1}"#, 400, "budget"),
            (#"{"skus":[{"item":"a"}],"capacity":{"default":"x"}}"#, 400, "capacity.default"),
            (#"{"skus":[{"item":"a","on_hand":5000}],"capacity":100}"#, 422, "capacity"),
        ]
        for (body, status, field) in bad {
            let response = try plan(body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(
                response.text.contains("'\(field)'") || response.text.contains(#""constraint":"\#(field)""#),
                "\(body): \(response.text)"
            )
        }
    }

    /// Covariates next to the demand give a regression with ARIMA errors; a promotion calendar
    /// moves the baseline forecast and a scenario answers "what if the deal ran in week 3".
    @Test func promotionsAndScenariosMoveTheForecast() throws {
        let directory = temporaryDirectory()
        do {
            let application = try startService(directory)
            defer { application.shutdown() }
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            let upload = weeklyBody(id: "oj", level: 200, covariates: true)
            #expect(try client.request("POST", "/series", headers: json, body: Array(upload.utf8)).status == 202)
            try waitForFit(client, ["oj"])
            let base = try client.request("GET", "/forecast?item=oj&horizon=4")
            #expect(
                base.text.contains(#""covariates":{"deal""#) && base.text.contains(#""effect":"elasticity""#),
                "\(base.text)"
            )
            #expect(base.text.contains(#""distribution":"log_normal""#), "\(base.text)")
            let scenario = #"{"id":"oj","scenario":"deal-w3","points":[{"t":83,"deal":1,"price":2.0}]}"#
            #expect(try client.request("POST", "/promotions", headers: json, body: Array(scenario.utf8)).status == 202)
            let what = try client.request("GET", "/forecast?item=oj&horizon=4&scenario=deal-w3")
            #expect(what.status == 200, "\(what.text)")
            let medians = { (text: String) in numbers(text, "median") }
            let plain = medians(base.text)
            let deal = medians(what.text)
            #expect(plain.count == 4 && deal.count == 4)
            if plain.count == 4, deal.count == 4 {
                #expect(deal[2] > plain[2] * 1.3, "\(plain) vs \(deal)")
                #expect(abs(deal[0] - plain[0]) < 1e-6 && abs(deal[3] - plain[3]) < 1e-6)
            }
            // The baseline plan moves the baseline forecast once refitted.
            let calendar = #"{"promotions":[{"id":"oj","points":[{"t":81,"deal":1,"price":2.0}]}]}"#
            #expect(try client.request("POST", "/promotions", headers: json, body: Array(calendar.utf8)).status == 202)
            var lifted = false
            for _ in 0..<3000 where !lifted {
                let now = medians(try client.request("GET", "/forecast?item=oj&horizon=4").text)
                lifted = now.count == 4 && plain.count == 4 && now[0] > plain[0] * 1.3
                if !lifted { usleep(10_000) }
            }
            #expect(lifted)
            let bad: [(String, String)] = [
                (#"{"id":"oj","points":[{"t":83,"promo":1}]}"#, "points[0].promo"),
                (#"{"id":"oj","points":[{"t":83,"value":1}]}"#, "points[0].value"),
                (#"{"id":"oj","points":[{"t":83,"price":0}]}"#, "points[0].price"),
                (#"{"id":"oj","points":[{"t":"2026-01-05","deal":1}]}"#, "points"),
                (#"{"id":"oj","points":[{"t":83}]}"#, "points[0]"),
            ]
            for (body, field) in bad {
                let response = try client.request("POST", "/promotions", headers: json, body: Array(body.utf8))
                #expect(response.status == 400 && response.text.contains("'\(field)'"), "\(body): \(response.text)")
            }
            #expect(
                try client.request(
                    "POST",
                    "/promotions",
                    headers: json,
                    body: Array(#"{"id":"none","points":[{"t":1,"deal":1}]}"#.utf8)
                ).status == 404
            )
            #expect(try client.request("GET", "/forecast?item=oj&scenario=nothing").status == 404)
        }
        // The plans are in the series log: a restart answers the scenario again.
        let application = try startService(directory)
        defer { application.shutdown() }
        let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
        var answered = false
        for _ in 0..<3000 where !answered {
            answered = try client.request("GET", "/forecast?item=oj&scenario=deal-w3").status == 200
            if !answered { usleep(10_000) }
        }
        #expect(answered)
    }
}
