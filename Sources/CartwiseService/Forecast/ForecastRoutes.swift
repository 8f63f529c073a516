import CartwiseModels
import HTTPCore

/// `POST /series`, `GET /forecast`, `POST /forecast/batch`, `GET /inventory/policy` and
/// `GET /models/forecast`.
///
/// Forecasts are computed by the `forecast-trainer` and cached in its snapshot, so a request is
/// a lookup plus the arithmetic of the requested intervals. Dashboards poll: every forecast
/// carries an `ETag` that changes exactly when the series is refitted, and `Cache-Control:
/// max-age` until the next planned refit.
package struct ForecastRoutes: Sendable {
    package let forecaster: Forecaster
    package let storage: ForecastStorage
    private let rendered = RenderedForecasts()

    package init(forecaster: Forecaster, storage: ForecastStorage) {
        self.forecaster = forecaster
        self.storage = storage
    }

    package func register(on router: inout ServiceRoutes) {
        router.onDeferred(.post, "/series", access: .ops) { request, _, promise in
            try JSONBody.requireJSON(request)
            let uploads = try SeriesUpload.decode(request.body)
            let store = forecaster.store
            try store.validate(uploads)
            storage.series.submit(request.body) { [forecaster] result in
                switch result {
                case .success:
                    store.apply(uploads)
                    forecaster.refitSoon()
                    var points = 0
                    for upload in uploads { points += upload.points.count }
                    let text = #"{"accepted_series":\#(uploads.count),"accepted_points":\#(points)}"#
                    promise.succeed(HTTPResponse.json(Array(text.utf8), status: .accepted))
                case .failure(let error):
                    promise.succeed(IngestRoutes.unavailable(error))
                }
            }
        }

        router.onEither(.get, "/forecast", access: .ops) { request, _ in
            let id = try Self.seriesID(request)
            if let entry = forecaster.entry(id) { return .response(try forecast(request, id, entry)) }
            return try afterFirstFit(id) { entry in try forecast(request, id, entry) }
        }

        router.onEither(.post, "/forecast/batch", access: .ops) { request, _ in
            try JSONBody.requireJSON(request)
            let batch = try ForecastBatchRequest.decode(request.body)
            var unfitted: Set<String> = []
            for id in batch.items where forecaster.entry(id) == nil && forecaster.store.contains(id) {
                unfitted.insert(id)
            }
            if unfitted.isEmpty { return .response(Self.batchAnswer(batch, forecaster)) }
            // One answer once every new series has had its first fit; those the on-demand
            // queue refuses are listed as missing.
            let promise = HTTPResponsePromise()
            let countdown = Countdown(unfitted.count) { promise.succeed(Self.batchAnswer(batch, forecaster)) }
            for id in unfitted where !forecaster.fitNow(id, then: { _ in countdown.tick() }) {
                countdown.tick()
            }
            return .deferred(promise)
        }

        router.onEither(.get, "/inventory/policy", access: .ops) { request, _ in
            let id = try Self.seriesID(request)
            if let entry = forecaster.entry(id) { return .response(try policy(request, id, entry)) }
            return try afterFirstFit(id) { entry in try policy(request, id, entry) }
        }

        router.get("/models/forecast", access: .ops) { _, _ in
            let snapshot = forecaster.snapshot
            let counts = forecaster.store.counts
            var models: [String: Int] = [:]
            for entry in snapshot.entries.values { models[entry.forecast.model, default: 0] += 1 }
            var out: [UInt8] = Array(#"{"version":\#(snapshot.version),"series":\#(snapshot.entries.count)"#.utf8)
            out += #","uploaded_series":\#(counts.uploaded),"items_with_purchases":\#(counts.items)"#.utf8
            out += #","current":\#(forecaster.isCurrent),"last_fit_series":\#(snapshot.lastFitSeries)"#.utf8
            out += #","last_fit_seconds":"#.utf8
            AuditEntry.number((snapshot.lastFitSeconds * 1000).rounded() / 1000, &out)
            out += #","next_refresh_at":"\#(Timestamp.format(snapshot.nextRefreshAt))","models":{"#.utf8
            for (index, (name, count)) in models.sorted(by: { $0.value > $1.value }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.append(name, to: &out)
                out += ":\(count)".utf8
            }
            out += "}}".utf8
            return HTTPResponse.json(out)
        }
    }

    /// The `item` query parameter: the series or item id.
    private static func seriesID(_ request: HTTPRequest) throws(APIError) -> String {
        guard let id = request.queryValue("item"), !id.isEmpty else {
            throw .invalidField(field: "item", reason: "is required (the item or series id)")
        }
        guard TextLength.fits(id, atMost: 256) else {
            throw .invalidField(field: "item", reason: "must be at most 256 characters")
        }
        return id
    }

    /// Answers once the on-demand thread has fitted a series the snapshot lacks (uploaded or
    /// first purchased since the trainer's last refit).
    /// - Throws: 404 for an unknown id; 503 when too many series wait for a first fit.
    private func afterFirstFit(
        _ id: String,
        _ answer: @escaping @Sendable (ForecastSnapshot.Entry) throws -> HTTPResponse
    ) throws(APIError) -> HTTPOutcome {
        guard forecaster.store.contains(id) else { throw .notFound("no series or purchased item '\(id)'") }
        let promise = HTTPResponsePromise()
        let queued = forecaster.fitNow(id) { entry in
            guard let entry else {
                promise.fail(APIError.notReady("the forecaster stopped before series '\(id)' was fitted"))
                return
            }
            do {
                promise.succeed(try answer(entry))
            } catch {
                promise.fail(error)
            }
        }
        guard queued else {
            throw .notReady("too many new series wait for their first fit; retry '\(id)' in a few seconds")
        }
        return .deferred(promise)
    }

    /// `POST /forecast/batch`'s answer from the snapshot: ids without a forecast are `missing`.
    private static func batchAnswer(_ batch: ForecastBatchRequest, _ forecaster: Forecaster) -> HTTPResponse {
        var out: [UInt8] = Array(#"{"forecasts":["#.utf8)
        var missing: [String] = []
        var first = true
        for id in batch.items {
            guard let entry = forecaster.entry(id) else {
                missing.append(id)
                continue
            }
            let horizon = min(batch.horizon ?? defaultHorizon(entry.frequency), entry.frequency.maxHorizon)
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            encode(id, entry, horizon: horizon, levels: batch.levels, version: entry.version, into: &out)
        }
        out += #"],"missing":["#.utf8
        for (index, id) in missing.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(id, to: &out)
        }
        out += "]}".utf8
        return HTTPResponse.json(out)
    }

    /// `GET /forecast`'s answer from a fitted entry.
    private func forecast(_ request: HTTPRequest, _ id: String, _ entry: ForecastSnapshot.Entry) throws -> HTTPResponse
    {
        // Keyed by the exact request target and the fit: a hit skips parsing and rendering.
        let key = request.target + "#" + String(entry.version) + "-" + String(entry.fittedAt)
        let rendered = try rendered.body(key) { () throws -> (tag: String, body: [UInt8]) in
            let horizon = try Self.horizon(request, entry)
            let levels = try Self.levels(request.queryValue("levels"))
            var out: [UInt8] = []
            out.reserveCapacity(512 + horizon * 96)
            Self.encode(id, entry, horizon: horizon, levels: levels, version: entry.version, into: &out)
            return (Self.etag(entry, horizon: horizon, levels: levels), out)
        }
        let maxAge = max(0, (forecaster.nextRefreshAt - WallClock.milliseconds()) / 1000)
        if let match = request.headers["If-None-Match"], Self.matches(match, rendered.tag) {
            var headers = HTTPHeaders()
            headers.set("ETag", rendered.tag)
            headers.set("Cache-Control", "max-age=" + String(maxAge))
            return HTTPResponse(status: .notModified, headers: headers)
        }
        var response = HTTPResponse.json(rendered.body)
        response.headers.set("ETag", rendered.tag)
        response.headers.set("Cache-Control", "max-age=" + String(maxAge))
        return response
    }

    /// `GET /inventory/policy`'s answer from a fitted entry.
    private func policy(_ request: HTTPRequest, _ id: String, _ entry: ForecastSnapshot.Entry) throws -> HTTPResponse {
        let maxHorizon = entry.frequency.maxHorizon
        var policyRequest = InventoryPolicy.Request(
            leadTime: try request.queryInt("lead_time", default: nil, range: 0...maxHorizon)
                ?? {
                    throw APIError.invalidField(field: "lead_time", reason: "is required (periods of the series)")
                }()
        )
        policyRequest.reviewPeriod = try request.queryInt(
            "review_period",
            default: 0,
            range: 0...(maxHorizon - policyRequest.leadTime)
        )!
        policyRequest.serviceLevel = try request.queryDouble("service_level", default: 0.95, range: 0.5...0.9999)!
        policyRequest.onHand = try request.queryDouble("on_hand", default: 0, range: -1e12...1e12)!
        policyRequest.onOrder = try request.queryDouble("on_order", default: 0, range: 0...1e12)!
        policyRequest.backorders = try request.queryDouble("backorders", default: 0, range: 0...1e12)!
        policyRequest.holdingCost = try request.queryDouble("holding_cost", default: nil, range: 1e-12...1e12)
        policyRequest.orderCost = try request.queryDouble("order_cost", default: nil, range: 0...1e12)
        let unitCost = try request.queryDouble("unit_cost", default: nil, range: 0...1e12)
        let price = try request.queryDouble("price", default: nil, range: 0...1e12)
        let salvage = try request.queryDouble("salvage_value", default: 0, range: 0...1e12)!
        policyRequest.criticalRatio = try request.queryDouble(
            "critical_ratio",
            default: nil,
            range: 0.0001...0.9999
        )
        if policyRequest.criticalRatio == nil, let price, let unitCost {
            guard price > unitCost, unitCost >= salvage else {
                throw APIError.invalidField(
                    field: "price",
                    reason: "must exceed unit_cost, which must be at least salvage_value"
                )
            }
            policyRequest.criticalRatio = min(max((price - unitCost) / (price - salvage), 0.0001), 0.9999)
        }
        if (policyRequest.holdingCost == nil) != (policyRequest.orderCost == nil) {
            throw APIError.invalidField(
                field: policyRequest.holdingCost == nil ? "holding_cost" : "order_cost",
                reason:
                    "is needed with \(policyRequest.holdingCost == nil ? "order_cost" : "holding_cost") for the EOQ"
            )
        }
        // A one-sided service level s is the upper end of the central (2s - 1) interval.
        policyRequest.spreadFactor = entry.calibration.factor(level: (2 * policyRequest.serviceLevel - 1) * 100)
        let policy = InventoryPolicy(forecast: entry.forecast, request: policyRequest)
        return HTTPResponse.json(
            InventoryAnswer.encode(id, entry, policy, policyRequest, unitCost: unitCost)
        )
    }

    static func defaultHorizon(_ frequency: Frequency) -> Int {
        switch frequency {
        case .day: return 14
        case .week: return 13
        case .month: return 18
        case .quarter: return 8
        case .year: return 6
        }
    }

    static func horizon(_ request: HTTPRequest, _ entry: ForecastSnapshot.Entry) throws -> Int {
        try request.queryInt(
            "horizon",
            default: defaultHorizon(entry.frequency),
            range: 1...entry.frequency.maxHorizon
        )!
    }

    /// The widest interval level: nearer 100, the normal quantile is no longer a finite number
    /// in floating point (99.99999999999999 % gave an interval of NaN), and the service level of
    /// `/inventory/policy` stops at the same 0.9999.
    static let maxLevel = 99.9999

    /// Whether `value` is an interval level an answer can be computed for.
    static func isLevel(_ value: Double) -> Bool { value > 0 && value <= maxLevel }

    /// `levels=80,95`: central interval levels in percent, 1 to 5 of them, each above 0 and at
    /// most 99.9999.
    static func levels(_ text: String?) throws(APIError) -> [Double] {
        guard let text else { return [80, 95] }
        var result: [Double] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Double(part), isLevel(value) else {
                throw .invalidField(
                    field: "levels",
                    reason: "must be comma-separated percentages above 0 and at most 99.9999"
                )
            }
            if !result.contains(value) { result.append(value) }
        }
        guard !result.isEmpty, result.count <= 5 else {
            throw .invalidField(field: "levels", reason: "must list 1 to 5 levels")
        }
        return result
    }

    static func levelName(_ level: Double) -> String { JSONWriter.number(level) }

    static func etag(_ entry: ForecastSnapshot.Entry, horizon: Int, levels: [Double]) -> String {
        "\"f\(entry.version)-\(entry.fittedAt)-h\(horizon)-" + levels.map(levelName).joined(separator: "_") + "\""
    }

    /// `If-None-Match`: `*`, or a comma-separated list of tags (weak ones compare weakly).
    static func matches(_ header: String, _ tag: String) -> Bool {
        for part in header.split(separator: ",") {
            var candidate = part.trimmingSpaces
            if candidate == "*" { return true }
            if candidate.hasPrefix("W/") { candidate.removeFirst(2) }
            if candidate == tag { return true }
        }
        return false
    }

    /// Four decimals, trailing zeros dropped, written digit by digit: `String(Double)` costs
    /// more than the rest of a forecast answer together.
    static func round(_ value: Double, _ out: inout [UInt8]) {
        let scaled = (value * 1e4).rounded()
        guard scaled.isFinite, abs(scaled) < 9e15 else {
            AuditEntry.number(value, &out)
            return
        }
        var units = Int64(scaled)
        if units < 0 {
            out.append(UInt8(ascii: "-"))
            units = -units
        }
        appendDigits(UInt64(units / 10_000), &out)
        var fraction = Int(units % 10_000)
        guard fraction != 0 else { return }
        out.append(UInt8(ascii: "."))
        var divisor = 1_000
        while fraction != 0 {
            out.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    private static func appendDigits(_ value: UInt64, _ out: inout [UInt8]) {
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) = (
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
            )
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }

    static func encode(
        _ id: String,
        _ entry: ForecastSnapshot.Entry,
        horizon: Int,
        levels: [Double],
        version: Int,
        into out: inout [UInt8]
    ) {
        let forecast = entry.forecast
        out += #"{"item":"#.utf8
        JSONString.append(id, to: &out)
        out += #","model":"#.utf8
        JSONString.append(forecast.model, to: &out)
        if case .ets(let combination) = forecast.fitted, combination.models.count > 1 {
            out += #","combination":["#.utf8
            for (index, (model, weight)) in zip(combination.models, combination.weights).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += #"{"model":"\#(model.spec.description)","weight":"#.utf8
                AuditEntry.number((weight * 1e4).rounded() / 1e4, &out)
                out += "}".utf8
            }
            out += "]".utf8
        }
        out += #","frequency":"\#(entry.frequency.rawValue)","season_length":\#(entry.seasonLength)"#.utf8
        out +=
            #","source":"\#(entry.fromEvents ? "purchase_events" : "uploaded")","observations":\#(entry.observations)"#
            .utf8
        out += #","model_version":\#(version),"fitted_at":"\#(Timestamp.format(entry.fittedAt))","points":["#.utf8
        let bounds = levels.map { level in
            (
                z: NormalDistribution.quantile(0.5 + level / 200) * entry.calibration.factor(level: level),
                lo: Array(#","lo\#(levelName(level))":"#.utf8),
                hi: Array(#","hi\#(levelName(level))":"#.utf8)
            )
        }
        for step in 0..<horizon {
            if step > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"t":"#.utf8
            out += entry.jsonLabel(step: step)
            out += #","mean":"#.utf8
            round(forecast.mean[step], &out)
            for bound in bounds {
                let interval = forecast.interval(step: step, z: bound.z)
                out += bound.lo
                round(interval.lower, &out)
                out += bound.hi
                round(interval.upper, &out)
            }
            out += "}".utf8
        }
        out += #"],"backtest":"#.utf8
        if let backtest = forecast.backtest {
            out += #"{"horizon":\#(backtest.horizon),"mase":"#.utf8
            if let mase = backtest.mase { round(mase, &out) } else { out += "null".utf8 }
            out += #","smape":"#.utf8
            if let smape = backtest.smape { round(smape, &out) } else { out += "null".utf8 }
            out += "}".utf8
        } else {
            out += "null".utf8
        }
        out += "}".utf8
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
