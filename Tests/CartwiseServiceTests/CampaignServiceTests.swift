import CartwiseModels
import CartwiseService
import HTTPCore
import Logging
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

private struct Report: Decodable {
    struct Arm: Decodable {
        var arm: String
        var customers: Int
        var responders: Int
        var response_rate: Double
        var revenue: Double
    }
    struct Interval: Decodable {
        var absolute: Double?
        var interval: [Double?]
    }
    struct Comparison: Decodable {
        var arm: String
        var lift: Interval
        var p_value: Double?
        var significant: Bool
        var incremental_profit: Double?
    }
    var arms: [Arm]
    var comparisons: [Comparison]
    var open_windows: Int
    var off_split_exposures: Int
}

private struct Audience: Decodable {
    struct Contact: Decodable {
        var customer: String
        var uplift: Double
        var expected_profit: Double
        var cost: Double
    }
    var contacts: [Contact]
    var held_out_control: Int
    var spend: Double
}

private struct Plan: Decodable {
    struct Constraint: Decodable {
        var constraint: String
        var binding: Bool
        var shadow_price: Double?
    }
    struct Assignment: Decodable {
        var customer: String?
        var offer: String
    }
    var status: String
    var objective: Double
    var spend: Double
    var marginal_value_of_budget: Double?
    var constraints: [Constraint]
    var assignments: [Assignment]
}

private struct Problem: Decodable {
    var status: Int
    var detail: String
    var constraint: String?
}

/// Campaigns through HTTP as a marketer uses them: define one, send its exposures, read it out
/// against control, train the uplift model and ask whom to contact, and plan a budget; every
/// bad field named.
@Suite struct CampaignServiceTests {
    static let json = [("Content-Type", "application/json")]
    /// 2026-03-01 in Unix seconds.
    static let t0 = 1_772_323_200.0
    static let day = 86_400.0

    static func post(_ client: BlockingHTTPClient, _ path: String, _ body: String) throws -> BlockingHTTPClient.Response
    {
        try client.request("POST", path, headers: json, body: Array(body.utf8))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: BlockingHTTPClient.Response) throws -> T {
        try JSONDecoder().decode(type, from: Data(response.body))
    }

    static func send(_ client: BlockingHTTPClient, _ events: [String]) throws {
        for chunk in stride(from: 0, to: events.count, by: 500) {
            let body = #"{"events":["# + events[chunk..<min(events.count, chunk + 500)].joined(separator: ",") + "]}"
            let sent = try post(client, "/events", body)
            #expect(sent.status == 200, "\(sent.text)")
        }
    }

    static func field(_ response: BlockingHTTPClient.Response) -> String {
        response.status == 400 ? response.text : "status \(response.status): \(response.text)"
    }

    @Test func campaignsAreValidatedKeptAndSplitByHash() throws {
        let directory = "/tmp/cartwise-campaign-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try withApplication([("data_dir", directory)]) { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            let good =
                #"{"id":"spring","offer":"10 % off","channel":"email","cost_per_contact":0.05,"offer_cost":4,"control_share":0.2,"start":"2026-03-01","end":"2026-03-15","outcome":"purchase"}"#
            let created = try Self.post(client, "/campaigns", good)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.headers["Location"] == "/campaigns/spring")
            #expect(try Self.post(client, "/campaigns", good).status == 409)
            let bad: [(String, String)] = [
                (#"{"id":"a","cost_per_contact":-1}"#, "cost_per_contact"),
                (#"{"id":"a","control_share":1.5}"#, "control_share"),
                (#"{"id":"a","start":"2026-03-10","end":"2026-03-01"}"#, "end"),
                (#"{"id":"a","outcome":"clicks"}"#, "outcome"),
                (#"{"id":"a","colour":"red"}"#, "colour"),
                (#"{"id":"a b"}"#, "id"),
                (#"{"offer":"x"}"#, "id"),
                (#"{"id":"a","audience":{"segments":["1"],"customers":["c"]}}"#, "audience"),
                (#"{"id":"a","attribution_days":0}"#, "attribution_days"),
                (#"{"id":"a","audience":{"everyone":{}}}"#, "audience.everyone"),
                (#"{"id":"a","seed":null}"#, "seed"),
                (#"{"id":"a","audience":{"customers":[0]}}"#, "audience.customers[0]"),
                (#"{"id":"a","start":"yesterday"}"#, "start"),
            ]
            for (body, field) in bad {
                let answer = try Self.post(client, "/campaigns", body)
                #expect(answer.status == 400 && answer.text.contains("'\(field)"), "\(body): \(Self.field(answer))")
            }
            #expect(try Self.post(client, "/campaigns", "[1]").status == 400)
            #expect(try client.request("GET", "/campaigns/nope").status == 404)

            // The split: stable, about the share asked for.
            var control = 0
            for index in 0..<400 {
                let first = try client.request("GET", "/campaigns/spring/assignment/c\(index)").text
                #expect(first == (try client.request("GET", "/campaigns/spring/assignment/c\(index)").text))
                if first.contains(#""control":true"#) { control += 1 }
            }
            #expect(control > 50 && control < 110)

            // Exposures name their campaign and arm; nothing else does.
            let noCampaign = try Self.post(
                client,
                "/events",
                #"{"events":[{"user":"u","type":"exposure","arm":"control"}]}"#
            )
            #expect(noCampaign.status == 400 && noCampaign.text.contains("campaign"))
            let withItem = try Self.post(
                client,
                "/events",
                #"{"events":[{"user":"u","item":"i","type":"exposure","campaign":"spring","arm":"control"}]}"#
            )
            #expect(withItem.status == 400 && withItem.text.contains("item"))
            let armOnView = try Self.post(
                client,
                "/events",
                #"{"events":[{"user":"u","item":"i","type":"view","arm":"x"}]}"#
            )
            #expect(armOnView.status == 400 && armOnView.text.contains("arm"))
        }
        // It survives a restart.
        try withApplication([("data_dir", directory)]) { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            let kept = try client.request("GET", "/campaigns/spring")
            #expect(kept.status == 200 && kept.text.contains(#""control_share":0.2"#))
        }
    }

    /// 200 treated customers of whom 60 buy within the window (and 10 more after it), 200 in
    /// control of whom 20 buy: the readout counts 60 against 20 and calls a 20-point lift
    /// significant, with an interval around it.
    @Test func readoutCountsTheWindowAndComparesWithControl() throws {
        try withApplication { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            let created = try Self.post(
                client,
                "/campaigns",
                #"{"id":"sale","cost_per_contact":0.1,"offer_cost":5,"start":\#(Self.t0),"end":\#(Self.t0 + Self.day),"attribution_days":7,"outcome":"purchase"}"#
            )
            #expect(created.status == 201)
            _ = try Self.post(client, "/items", #"{"items":[{"id":"shirt","price":30}]}"#)
            var events: [String] = []
            for index in 0..<400 {
                let treated = index < 200
                let user = "s\(index)"
                events.append(
                    #"{"user":"\#(user)","type":"exposure","campaign":"sale","arm":"\#(treated ? "email" : "control")","timestamp":\#(Self.t0)}"#
                )
                let buys = treated ? index < 60 : index < 220
                if buys {
                    events.append(
                        #"{"user":"\#(user)","item":"shirt","type":"purchase","timestamp":\#(Self.t0 + 2 * Self.day)}"#
                    )
                }
                if treated && index >= 60 && index < 70 {
                    events.append(
                        #"{"user":"\#(user)","item":"shirt","type":"purchase","timestamp":\#(Self.t0 + 9 * Self.day)}"#
                    )
                }
            }
            try Self.send(client, events)
            let report = try Self.decode(Report.self, try client.request("GET", "/campaigns/sale/report"))
            let email = try #require(report.arms.first { $0.arm == "email" })
            let control = try #require(report.arms.first { $0.arm == "control" })
            #expect(email.customers == 200 && email.responders == 60 && abs(email.revenue - 60 * 30) < 1e-9)
            #expect(control.customers == 200 && control.responders == 20)
            let comparison = try #require(report.comparisons.first)
            #expect(abs((comparison.lift.absolute ?? 0) - 0.2) < 1e-12)
            let lower = try #require(comparison.lift.interval[0])
            let upper = try #require(comparison.lift.interval[1])
            #expect(lower > 0.1 && lower < 0.2 && upper > 0.2 && upper < 0.3)
            #expect(comparison.significant && (comparison.p_value ?? 1) < 1e-5)
            // Revenue 1,800 against 600 over equal arms; costs 200 × 0.1 + 60 × 5.
            #expect(abs((comparison.incremental_profit ?? 0) - (1200 - 20 - 300)) < 1e-6)
            #expect(report.open_windows == 0)

            // A narrower level, a narrower interval; a level out of range is named.
            let narrow = try Self.decode(Report.self, try client.request("GET", "/campaigns/sale/report?level=0.8"))
            let narrowWidth =
                (narrow.comparisons[0].lift.interval[1] ?? 0) - (narrow.comparisons[0].lift.interval[0] ?? 0)
            #expect(narrowWidth < upper - lower)
            let badLevel = try client.request("GET", "/campaigns/sale/report?level=1.5")
            #expect(badLevel.status == 400 && badLevel.text.contains("level"))
        }
    }

    /// Customers whose feature x is high respond to the offer; the model learns it from a past
    /// campaign, and the audience of a new one puts high-x customers first, within the budget.
    @Test func upliftModelRanksTheAudience() throws {
        try withApplication { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 120)
            #expect(try Self.post(client, "/campaigns/next/audience", "").status == 404)
            let past =
                #"{"id":"past","start":\#(Self.t0),"end":\#(Self.t0 + Self.day),"attribution_days":7,"outcome":"visit","control_share":0.5}"#
            #expect(try Self.post(client, "/campaigns", past).status == 201)
            var random = SeededRandom(seed: 2)
            var events: [String] = []
            for index in 0..<4_000 {
                let x = random.unit()
                let treated = random.unit() < 0.5
                let user = "p\(index)"
                events.append(
                    #"{"user":"\#(user)","type":"exposure","campaign":"past","arm":"\#(treated ? "treatment" : "control")","timestamp":\#(Self.t0),"context":{"x":\#(x),"tier":"\#(index % 3 == 0 ? "gold" : "silver")"}}"#
                )
                if random.unit() < 0.1 + (treated ? 0.4 * x : 0) {
                    events.append(#"{"user":"\#(user)","item":"home","type":"view","timestamp":\#(Self.t0 + 3600)}"#)
                }
            }
            // Time passes: the window closes.
            events.append(#"{"user":"clock","item":"home","type":"view","timestamp":\#(Self.t0 + 10 * Self.day)}"#)
            try Self.send(client, events)
            #expect(try Self.post(client, "/campaigns/past/audience", "").status == 503)
            let trained = try client.request("POST", "/models/uplift/train?wait=55")
            #expect(trained.status == 200, "\(trained.text)")

            let customers = (0..<200).map { #""p\#($0)""# }.joined(separator: ",")
            let next =
                #"{"id":"next","cost_per_contact":1,"value_per_response":20,"control_share":0.1,"audience":{"customers":[\#(customers)]}}"#
            #expect(try Self.post(client, "/campaigns", next).status == 201)
            let audience = try Self.decode(
                Audience.self,
                try Self.post(client, "/campaigns/next/audience?budget=40", "")
            )
            #expect(audience.held_out_control > 0)
            #expect(audience.spend <= 40 && audience.contacts.count == 40)
            let profits = audience.contacts.map(\.expected_profit)
            #expect(profits == profits.sorted(by: >))
            // The first contacts are the high-x customers: compare their x with the rest's.
            let all = try Self.decode(Audience.self, try Self.post(client, "/campaigns/next/audience", ""))
            #expect(all.contacts.count > 40)
            let top = Set(audience.contacts.map(\.customer))
            #expect(all.contacts.prefix(40).allSatisfy { top.contains($0.customer) })
            #expect((all.contacts.first?.uplift ?? 0) > (all.contacts.last?.uplift ?? 1) + 0.1)
            let badBudget = try Self.post(client, "/campaigns/next/audience?budget=-5", "")
            #expect(badBudget.status == 400 && badBudget.text.contains("budget"))
        }
    }

    /// A small plan: the answer is the best of every assignment, the binding constraints are
    /// named, and each kind of bad input names its field.
    @Test func planIsOptimalAndBadPlansAreNamed() throws {
        try withApplication { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            // Three customers, two offers; by hand: c1 takes mail (profit 8 − 2 = 6, spend 2),
            // c2 email (5 − 1 = 4, spend 1), c3 email (3 − 1 = 2) would exceed the budget of 3.
            let plan =
                #"{"budget":3,"offers":[{"id":"email","channel":"email","cost":1},{"id":"mail","channel":"mail","cost":2}],"channel_caps":{"mail":1},"candidates":[{"customer":"c1","value":100,"uplift":{"email":0.05,"mail":0.08}},{"customer":"c2","value":100,"uplift":{"email":0.05,"mail":0.06}},{"customer":"c3","value":100,"uplift":{"email":0.03}}]}"#
            let answer = try Self.post(client, "/campaigns/plan", plan)
            #expect(answer.status == 200, "\(answer.text)")
            let solved = try Self.decode(Plan.self, answer)
            #expect(solved.status == "optimal" && abs(solved.objective - 10) < 1e-9 && abs(solved.spend - 3) < 1e-9)
            let picks = Dictionary(uniqueKeysWithValues: solved.assignments.map { ($0.customer ?? "", $0.offer) })
            #expect(picks == ["c1": "mail", "c2": "email"])
            #expect(solved.constraints.first { $0.constraint == "budget" }?.binding == true)
            #expect((solved.marginal_value_of_budget ?? 0) > 0)

            let bad: [(String, String)] = [
                (plan.replacing(#""budget":3"#, with: #""budget":-1"#), "budget"),
                (plan.replacing(#""cost":1}"#, with: #""cost":-1}"#), "offers[0].cost"),
                (plan.replacing(#""mail":0.08"#, with: #""post":0.08"#), "candidates[0].uplift.post"),
                (plan.replacing(#""channel_caps":{"mail":1}"#, with: #""channel_caps":{"fax":1}"#), "channel_caps.fax"),
                (
                    plan.replacing(#""value":100,"uplift":{"email":0.03}"#, with: #""value":100,"uplift":{"email":3}"#),
                    "candidates[2].uplift.email"
                ),
                (#"{"budget":3,"offers":[],"candidates":[]}"#, "offers"),
            ]
            for (body, field) in bad {
                let refused = try Self.post(client, "/campaigns/plan", body)
                #expect(
                    refused.status == 400 && refused.text.contains("'\(field)'"),
                    "\(field): \(Self.field(refused))"
                )
            }
            // Mail must reach both; that costs 4, more than the budget: 422 naming the budget.
            let minimum = plan.replacing(#""cost":2}"#, with: #""cost":2,"min":2}"#)
                .replacing(#""channel_caps":{"mail":1},"#, with: "")
            let infeasible = try Self.post(client, "/campaigns/plan", minimum)
            #expect(infeasible.status == 422, "\(infeasible.text)")
            let problem = try Self.decode(Problem.self, infeasible)
            #expect(problem.constraint == "budget" && problem.detail.contains("budget"))
            // A cap below the minimum names the cap.
            let capped = try Self.post(
                client,
                "/campaigns/plan",
                plan.replacing(#""cost":2}"#, with: #""cost":2,"min":2}"#)
            )
            #expect(capped.status == 422)
            #expect(try Self.decode(Problem.self, capped).constraint == "channel_caps.mail")
        }
    }
}
