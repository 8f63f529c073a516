import CartwiseService
import HTTPCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `POST /models/train` answers within the client's patience: the model when it was published
/// within `wait` seconds, else 202 pointing at `GET /models/training`, which reports progress.
@Suite struct ModelTrainingRouteTests {
    @Test func trainingAnswersAtOnceWithProgressOrWithTheModel() throws {
        try withApplication([("trainer.min_new_events", "1000000")]) { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            let idle = try client.request("GET", "/models/training")
            #expect(idle.status == 200 && idle.text.contains(#""state":"idle""#), "\(idle.text)")
            let events = (0..<200).map { #"{"user":"u\#($0 % 20)","item":"i\#($0 % 13)","type":"purchase"}"# }
            let body = Array(#"{"events":[\#(events.joined(separator: ","))]}"#.utf8)
            #expect(
                try client.request("POST", "/events", headers: [("Content-Type", "application/json")], body: body)
                    .status == 200
            )

            let accepted = try client.request("POST", "/models/train?wait=0")
            #expect(accepted.status == 202, "\(accepted.text)")
            #expect(accepted.headers["Location"] == "/models/training")
            #expect(accepted.text.contains(#""state":"#))
            // The trainer may also train on its own (a first model is due as soon as events arrive),
            // so the asked-for training is the newest one once nothing is queued or running.
            var status = ""
            for _ in 0..<300 where !(status.contains(#""outcome":"published""#) && status.contains(#""state":"idle""#))
            {
                usleep(50_000)
                status = try client.request("GET", "/models/training").text
            }
            #expect(status.contains(#""state":"idle""#), "\(status)")
            let trainer = try #require(application.feature(RecommendFeature.self)?.trainer)
            let version = try #require(trainer.card?.version)
            #expect(status.contains(#""version":\#(version)"#), "\(status)")

            let waited = try client.request("POST", "/models/train?wait=50")
            #expect(waited.status == 200 && waited.text.contains(#""version":\#(version + 1)"#), "\(waited.text)")
            #expect(try client.request("POST", "/models/train?wait=600").status == 400)
        }
    }

    /// Every family is listed by `GET /models` and trains and rolls back through the same routes;
    /// a rollback holds until a training is asked for.
    @Test func everyFamilyTrainsAndRollsBackThroughTheSameRoutes() throws {
        try withApplication([("trainer.min_new_events", "1000000")]) { application in
            let client = try BlockingHTTPClient(port: application.server.port, timeout: 60)
            let json = [("Content-Type", "application/json")]
            let upload =
                #"{"id":"s1","frequency":"month","points":[{"t":0,"value":5},{"t":1,"value":7},{"t":2,"value":6}]}"#
            #expect(try client.request("POST", "/series", headers: json, body: Array(upload.utf8)).status == 202)
            let listing = try client.request("GET", "/models")
            #expect(listing.status == 200, "\(listing.text)")
            for family in ["recommend", "ctr", "risk", "forecast"] {
                #expect(listing.text.contains(#"{"family":"\#(family)","model":"#), "\(family): \(listing.text)")
            }
            // Two forecast versions, then back to the first, held.
            let first = try client.request("POST", "/models/forecast/train?wait=50")
            #expect(first.status == 200 && first.text.contains(#""family":"forecast""#), "\(first.text)")
            let second = try client.request("POST", "/models/forecast/train?wait=50")
            #expect(second.status == 200, "\(second.text)")
            let forecaster = try #require(application.feature(ForecastFeature.self)?.forecaster)
            let newest = try #require(forecaster.card?.version)
            let rolled = try client.request("POST", "/models/forecast/rollback")
            #expect(rolled.status == 200 && rolled.text.contains(#""held":true"#), "\(rolled.text)")
            #expect(forecaster.card?.version == newest - 1 && forecaster.isHeld)
            #expect(try client.request("GET", "/forecast?item=s1").status == 200)
            let again = try client.request("POST", "/models/forecast/train?wait=50")
            #expect(again.status == 200 && again.text.contains(#""held":false"#), "\(again.text)")
            #expect(forecaster.card!.version > newest)
            // A family with nothing to roll back to, or nothing to train on, says so.
            #expect(try client.request("POST", "/models/ctr/rollback").status == 409)
            let risk = try client.request("POST", "/models/risk/train?wait=50")
            #expect(risk.status == 409 && risk.text.contains("labelled orders"), "\(risk.text)")
            let unknown = try client.request("POST", "/models/nope/train")
            #expect(
                unknown.status == 404 && unknown.text.contains("ctr, forecast, risk, recommend, customers"),
                "\(unknown.text)"
            )
            let training = try client.request("GET", "/models/forecast/training")
            #expect(training.status == 200 && training.text.contains(#""outcome":"published""#), "\(training.text)")
        }
    }
}
