import ArgumentParser
import HTTPCore

/// `cartwise healthcheck`: exits 0 if `/healthz` answers 200. For container HEALTHCHECKs,
/// where the slim runtime image has no curl.
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if the service at HOST:PORT answers GET /healthz with 200."
    )

    @Option(help: "Host to probe.")
    var host = "127.0.0.1"

    @Option(help: "Port to probe.")
    var port = 8080

    @Option(help: "Path to probe: /healthz (liveness) or /readyz (readiness).")
    var path = "/healthz"

    @Option(help: "Seconds to wait for the answer.")
    var timeout = 3.0

    func run() throws {
        do {
            let client = try BlockingHTTPClient(host: host, port: port, timeout: timeout)
            let response = try client.request("GET", path)
            guard response.status == 200 else {
                print("unhealthy: \(path) answered \(response.status)")
                throw ExitCode.failure
            }
            print("healthy")
        } catch let error as BlockingHTTPClient.ClientError {
            print("unhealthy: \(error)")
            throw ExitCode.failure
        }
    }
}
