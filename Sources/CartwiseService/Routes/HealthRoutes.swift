import HTTPCore

/// `/healthz`, `/readyz` and `/metrics`: what load balancers and Prometheus poll.
package enum HealthRoutes {
    private static let healthy = Array(#"{"status":"ok"}"#.utf8)

    package static func register(on router: inout ServiceRoutes, readiness: Readiness, metrics: ServiceMetrics) {
        // Liveness: the loop answered, so the process is alive. Static bytes, no allocation.
        router.get("/healthz", access: .open) { _, _ in HTTPResponse.json(healthy) }

        router.get("/readyz", access: .open) { _, _ in
            let status = readiness.status
            let checks = status.keys.sorted().map { JSONText.quote($0) + ":" + (status[$0]! ? "true" : "false") }
            let ready = readiness.isReady
            let body =
                "{\"status\":\"" + (ready ? "ready" : "starting") + "\",\"checks\":{" + checks.joined(separator: ",")
                + "}}"
            return HTTPResponse.json(Array(body.utf8), status: ready ? .ok : .serviceUnavailable)
        }

        router.get("/metrics", access: .ops) { _, _ in
            HTTPResponse(
                status: .ok,
                headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                body: metrics.exposition()
            )
        }
    }
}
