import CartwiseModels
import CartwiseSolver
import HTTPCore

/// `POST /series`, `GET /forecast`, `POST /forecast/batch`, `GET /inventory/policy` and
/// `GET /models/forecast`: routing only. The query is read by ``ForecastQuery`` and
/// ``InventoryPolicyQuery``, answers are written by ``ForecastEncoding`` and ``InventoryAnswer``,
/// and tagged by ``ForecastETag``.
///
/// Forecasts are computed by the `forecast-trainer` and cached in its snapshot, so a request is
/// a lookup plus the arithmetic of the requested intervals. Dashboards poll: every forecast
/// carries an `ETag` that changes exactly when the series is refitted, and `Cache-Control:
/// max-age` until the next planned refit.
package struct ForecastRoutes: Sendable {
    package let forecaster: Forecaster
    package let storage: ForecastStorage
    /// Milliseconds a dated point may lie ahead of the clock.
    package let maxFutureSkew: Int64
    /// Where replenishment plans are solved, off the event loops.
    package let pool: BlockingPool
    private let rendered = RenderedForecasts()

    package init(forecaster: Forecaster, storage: ForecastStorage, maxFutureSkew: Int64, pool: BlockingPool) {
        self.forecaster = forecaster
        self.storage = storage
        self.maxFutureSkew = maxFutureSkew
        self.pool = pool
    }

    package func register(on router: inout ServiceRoutes) {
        router.onDeferred(.post, "/series", access: .ops) { request, _, promise in
            try JSONBody.requireJSON(request)
            let replace = try request.queryBool("replace", default: false)
            let uploads = try SeriesUpload.decode(request.body)
            let store = forecaster.store
            try store.validate(uploads)
            try checkDates(uploads)
            for (index, upload) in uploads.enumerated() where !replace && store.isPurchasedItem(upload.id) {
                throw APIError.conflict(
                    field: uploads.count > 1 ? "series[\(index)].id" : "id",
                    reason:
                        "'\(upload.id)' is an item with purchase history; an upload would replace that history (add ?replace=true), or use another id"
                )
            }
            storage.series.submit(request.body, answering: promise) { [forecaster] _ in
                store.apply(uploads)
                forecaster.refitSoon()
                var points = 0
                for upload in uploads { points += upload.points.count }
                let text = #"{"accepted_series":\#(uploads.count),"accepted_points":\#(points)}"#
                return HTTPResponse.json(Array(text.utf8), status: .accepted)
            }
        }

        router.onDeferred(.post, "/promotions", access: .ops) { request, _, promise in
            try JSONBody.requireJSON(request)
            let plans = try SeriesUpload.decode(request.body, plan: true)
            let store = forecaster.store
            try store.validatePlans(plans)
            storage.series.submit(SeriesUpload.encode(plans), answering: promise) { [forecaster] _ in
                store.applyPlans(plans)
                forecaster.refitSoon()
                var points = 0
                for plan in plans { points += plan.points.count }
                let text = #"{"accepted_plans":\#(plans.count),"accepted_points":\#(points)}"#
                return HTTPResponse.json(Array(text.utf8), status: .accepted)
            }
        }

        router.onBlocking(.post, "/plans/replenishment", access: .ops, pool: pool) { request, _ in
            try JSONBody.requireJSON(request)
            let format = request.queryValue("format") ?? "json"
            guard format == "json" || format == "mps" else {
                throw APIError.invalidField(field: "format", reason: "must be json or mps")
            }
            let plan = try ReplenishmentRequest(body: request.body)
            let planner = ReplenishmentPlanner(
                request: plan,
                entries: try planEntries(plan),
                seconds: forecaster.settings.planSeconds,
                relativeGap: forecaster.settings.planRelativeGap
            )
            if format == "mps" {
                let program = try planner.formulate().program
                return HTTPResponse(
                    status: .ok,
                    headers: ["Content-Type": "text/plain; charset=utf-8"],
                    body: Array(program.mps(name: "replenishment").utf8)
                )
            }
            return HTTPResponse.json(try planner.solve())
        }

        router.onDeferred(.delete, "/series/{id}", access: .ops) { _, parameters, promise in
            let id = try parameters.require("id")
            guard forecaster.store.isUploaded(id) else {
                throw APIError.notFound("no uploaded series '\(id)' (an item's purchase history cannot be deleted)")
            }
            storage.series.submit(SeriesDeletion.encode(id), answering: promise) { [forecaster] _ in
                forecaster.store.remove(id)
                forecaster.forget(id)
                return HTTPResponse(status: .noContent)
            }
        }

        router.onEither(.get, "/forecast", access: .ops) { request, _ in
            let id = try ForecastQuery.seriesID(request)
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
            if unfitted.isEmpty { return .response(ForecastEncoding.batchAnswer(batch, forecaster)) }
            // One answer once every new series has had its first fit; those the on-demand
            // queue refuses are listed as missing.
            let promise = HTTPResponsePromise()
            let countdown = Countdown(unfitted.count) {
                promise.succeed(ForecastEncoding.batchAnswer(batch, forecaster))
            }
            for id in unfitted where !forecaster.fitNow(id, then: { _ in countdown.tick() }) {
                countdown.tick()
            }
            return .deferred(promise)
        }

        router.onEither(.get, "/inventory/policy", access: .ops) { request, _ in
            let id = try ForecastQuery.seriesID(request)
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
            JSONWriter.append((snapshot.lastFitSeconds * 1000).rounded() / 1000, to: &out)
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

    /// Refuses dated points more than `events.max_future_skew_s` ahead of the clock: a series'
    /// calendar ends at its last point, and one point in 2099 would make decades of zeros.
    private func checkDates(_ uploads: [SeriesUpload]) throws(APIError) {
        let limitDay = Frequency.floorDivide(
            Int(WallClock.milliseconds() + maxFutureSkew),
            86_400_000
        )
        for (index, upload) in uploads.enumerated() where !upload.indexed {
            let last = upload.frequency.period(ofDay: limitDay)
            guard let point = upload.points.firstIndex(where: { $0.period > last }) else { continue }
            let prefix = uploads.count > 1 ? "series[\(index)]." : ""
            throw .invalidField(
                field: prefix + "points[\(point)].t",
                reason:
                    "is \(upload.frequency.format(upload.points[point].period)), after the server's date plus events.max_future_skew_s"
            )
        }
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

    /// `GET /forecast`'s answer from a fitted entry.
    private func forecast(_ request: HTTPRequest, _ id: String, _ entry: ForecastSnapshot.Entry) throws -> HTTPResponse
    {
        // Keyed by the exact request target and the fit: a hit skips parsing and rendering.
        let key = request.target + "#" + String(entry.version) + "-" + String(entry.fittedAt)
        let scenario = try ForecastQuery.scenario(request)
        // A scenario's plan can change without a refit: its answer is never cached.
        let render = { () throws -> (tag: String, body: [UInt8]) in
            let horizon = try ForecastQuery.horizon(request, entry)
            let levels = try ForecastQuery.levels(request.queryValue("levels"))
            var shown = entry
            if let scenario { shown = try scenarioEntry(id, entry, scenario) }
            var out: [UInt8] = []
            out.reserveCapacity(512 + horizon * 96)
            ForecastEncoding.encode(
                id,
                shown,
                horizon: horizon,
                levels: levels,
                version: entry.version,
                scenario: scenario,
                into: &out
            )
            return (ForecastETag.etag(entry, horizon: horizon, levels: levels, scenario: scenario), out)
        }
        let rendered = try scenario == nil ? rendered.body(key, render: render) : render()
        let maxAge = max(0, (forecaster.nextRefreshAt - WallClock.milliseconds()) / 1000)
        if let match = request.headers["If-None-Match"], ForecastETag.matches(match, rendered.tag) {
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

    /// Each SKU's fitted forecast; every SKU's series has the same frequency (a budget is per
    /// period).
    private func planEntries(_ plan: ReplenishmentRequest) throws(APIError) -> [ForecastSnapshot.Entry] {
        var entries: [ForecastSnapshot.Entry] = []
        entries.reserveCapacity(plan.skus.count)
        for (index, sku) in plan.skus.enumerated() {
            guard let entry = forecaster.entry(sku.item) else {
                if forecaster.store.contains(sku.item) {
                    forecaster.refitSoon()
                    throw .notReady(
                        "'\(sku.item)' (skus[\(index)].item) has not been forecast yet; retry in a few seconds"
                    )
                }
                throw .invalidField(
                    field: "skus[\(index)].item",
                    reason: "has no forecast: no series or item '\(sku.item)' (upload its demand with POST /series)"
                )
            }
            if let first = entries.first, first.frequency != entry.frequency {
                throw .invalidField(
                    field: "skus[\(index)].item",
                    reason:
                        "is forecast by \(entry.frequency.rawValue), but skus[0] by \(first.frequency.rawValue); a plan's periods are one frequency"
                )
            }
            entries.append(entry)
        }
        return entries
    }

    /// The entry as it would be under a scenario's planned covariates: the fitted regression's
    /// forecast with the scenario's columns (no refit; the backtest is the fit's own).
    private func scenarioEntry(
        _ id: String,
        _ entry: ForecastSnapshot.Entry,
        _ scenario: String
    ) throws(APIError) -> ForecastSnapshot.Entry {
        guard case .regression(let model) = entry.forecast.fitted, let input = forecaster.store.input(id),
            let covariates = input.covariates
        else {
            throw .invalidField(
                field: "scenario",
                reason:
                    "series '\(id)' has no fitted covariates (model \(entry.forecast.model)); upload prices or promotions with its history"
            )
        }
        let last = input.firstPeriod + input.values.count - 1
        guard let future = forecaster.store.scenarioFuture(id, scenario: scenario, for: covariates, after: last) else {
            let known = forecaster.store.scenarios(id)
            throw .notFound(
                "no scenario '\(scenario)' for '\(id)' (it has \(known.isEmpty ? "none" : known.joined(separator: ", "))); plan one with POST /promotions"
            )
        }
        let horizon = entry.forecast.mean.count
        let (mean, variance) = model.forecast(horizon: horizon, future: future)
        var forecast = SeriesForecast(
            fitted: entry.forecast.fitted,
            mean: mean,
            sd: variance.map { max($0, 0).squareRoot() },
            nonNegative: entry.forecast.nonNegative,
            counts: entry.forecast.counts,
            backtest: entry.forecast.backtest
        )
        if model.logTarget {
            let scale = model.modelScale(horizon: horizon, future: future)
            forecast.logScale = .init(mean: scale.mean, sd: scale.variance.map { max($0, 0).squareRoot() })
        }
        return entry.replacing(forecast)
    }

    /// `GET /inventory/policy`'s answer from a fitted entry.
    private func policy(_ request: HTTPRequest, _ id: String, _ entry: ForecastSnapshot.Entry) throws -> HTTPResponse {
        var (policyRequest, unitCost) = try InventoryPolicyQuery.parse(request, frequency: entry.frequency)
        policyRequest.calibration = entry.calibration
        let policy = InventoryPolicy(forecast: entry.forecast, request: policyRequest)
        return HTTPResponse.json(
            InventoryAnswer.encode(id, entry, policy, policyRequest, unitCost: unitCost)
        )
    }
}
