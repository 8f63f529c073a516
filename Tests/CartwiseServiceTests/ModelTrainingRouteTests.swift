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
            var status = ""
            for _ in 0..<300 where !status.contains(#""outcome":"published""#) {
                usleep(50_000)
                status = try client.request("GET", "/models/training").text
            }
            #expect(status.contains(#""state":"idle""#) && status.contains(#""version":1"#), "\(status)")

            let waited = try client.request("POST", "/models/train?wait=50")
            #expect(waited.status == 200 && waited.text.contains(#""version":2"#), "\(waited.text)")
            #expect(try client.request("POST", "/models/train?wait=600").status == 400)
        }
    }
}
