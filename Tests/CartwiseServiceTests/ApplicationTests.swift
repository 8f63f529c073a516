import CartwiseService
import HTTPCore
import Logging
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Starts the whole service on an ephemeral port with a fresh data directory.
func withApplication(_ flags: [(key: String, value: String)] = [], _ body: (Application) throws -> Void) throws {
    let directory = "/tmp/cartwise-test-\(UInt64.random(in: 0...UInt64.max))"
    let configuration = try ConfigurationLoader(
        flags: [("server.port", "0"), ("server.threads", "2"), ("data_dir", directory)] + flags
    ).load()
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let application = try Application.start(configuration: configuration, logger: logger)
    defer {
        application.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
    try body(application)
}

@Suite struct ApplicationTests {
    @Test func healthReadinessAndMetricsAnswer() throws {
        try withApplication { application in
            let client = try BlockingHTTPClient(port: application.server.port)
            let health = try client.request("GET", "/healthz")
            #expect(health.status == 200)
            #expect(health.text == #"{"status":"ok"}"#)

            let ready = try client.request("GET", "/readyz")
            #expect(ready.status == 200)
            #expect(ready.text.contains(#""status":"ready""#))

            _ = try client.request("GET", "/nope")
            let metrics = try client.request("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.text
            #expect(text.contains(#"cartwise_http_requests_total{method="GET",route="/healthz",status="200"} 1"#))
            #expect(text.contains(#"route="unmatched",status="404"} 1"#))
            #expect(text.contains("cartwise_http_request_duration_seconds_bucket"))
            #expect(text.contains("cartwise_http_open_connections 1"))
            #expect(text.contains("cartwise_http_received_bytes_total"))
            #expect(text.contains("cartwise_process_resident_memory_bytes"))
        }
    }

    @Test func readinessIsFalseUntilEveryComponentIsReady() {
        let readiness = Readiness()
        #expect(!readiness.isReady)
        readiness.expect("models")
        readiness.expect("http")
        readiness.markReady("http")
        #expect(!readiness.isReady)
        readiness.markReady("models")
        #expect(readiness.isReady)
    }

    @Test func benchmarkRoutesAreOffByDefault() throws {
        try withApplication { application in
            let client = try BlockingHTTPClient(port: application.server.port)
            #expect(try client.request("POST", "/echo", body: Array("{}".utf8)).status == 404)
        }
    }

    @Test func echoRouteDecodesAndNamesBadFields() throws {
        try withApplication([("server.benchmark_routes", "true")]) { application in
            let client = try BlockingHTTPClient(port: application.server.port)
            let json = [("Content-Type", "application/json")]
            let good = try client.request(
                "POST",
                "/echo",
                headers: json,
                body: Array(#"{"ints":[1,2,3],"name":"x"}"#.utf8)
            )
            #expect(good.text == #"{"n":3,"sum":6}"#)
            let wrongType = try client.request(
                "POST",
                "/echo",
                headers: json,
                body: Array(#"{"ints":[1,"a"],"name":"x"}"#.utf8)
            )
            #expect(wrongType.status == 400)
            #expect(wrongType.headers["Content-Type"] == "application/problem+json")
            #expect(wrongType.text.contains("ints[1]"))
            let missing = try client.request("POST", "/echo", headers: json, body: Array(#"{"ints":[]}"#.utf8))
            #expect(missing.text.contains("field 'name' is required"))
            let garbage = try client.request("POST", "/echo", headers: json, body: Array("{{{".utf8))
            #expect(garbage.status == 400)
            let text = try client.request("POST", "/echo", headers: [("Content-Type", "text/csv")], body: [1])
            #expect(text.status == 415)
        }
    }

    @Test func anUnusableDataDirectoryIsAClearError() throws {
        let configuration = try ConfigurationLoader(flags: [("server.port", "0"), ("data_dir", "/proc/cartwise")])
            .load()
        #expect(throws: ApplicationError.self) {
            try Application.start(configuration: configuration, logger: Logger(label: "test"))
        }
    }
}
