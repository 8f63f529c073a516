import CartwiseModels
import HTTPCore
package import Logging
import Synchronization

/// The `forecast-trainer` thread: refits every series on a schedule (and uploaded series and
/// newly purchased items within seconds), on a few worker threads, and publishes the forecasts
/// as one immutable snapshot.
///
/// A second thread, `forecast-on-demand`, fits single series that a request asked for before
/// the trainer reached them: the trainer may be busy with a full refit for minutes, and a
/// dashboard that has just uploaded a series wants its forecast, not a 503.
package final class Forecaster: Sendable {
    package let settings: ForecastSettings
    package let store: SeriesStore
    /// The published forecasts. A new snapshot is built outside the lock (a copy of every entry
    /// and the calibration, O(n)) and swapped in; a `GET /forecast` never waits for that.
    package let models = ModelRegistry<ForecastSnapshot>(family: "forecast")
    package let trainings = TrainingRequests()
    private let nextRefresh = Atomic<Int64>(0)
    private let worker: WorkerThread
    private let onDemand: WorkerThread
    private let pending = PendingFits(limit: 256)
    private let logger: Logger
    /// The store revision the snapshot reflects, and when the last full refit ran.
    private let progress = Mutex<(revision: Int, fullAt: Int64)>((0, .min))

    package init(settings: ForecastSettings, store: SeriesStore, logger: Logger) throws {
        self.settings = settings
        self.store = store
        self.logger = logger
        worker = try WorkerThread()
        onDemand = try WorkerThread()
    }

    package func start() throws {
        try worker.start(name: "forecast-trainer") { [self] in run() }
        try onDemand.start(name: "forecast-on-demand") { [self] in runOnDemand() }
    }

    /// Stops both threads; requests still waiting for a fit get nil.
    package func stop() {
        worker.stop()
        onDemand.stop()
        for waiter in pending.drain() { waiter(nil) }
    }

    /// Takes a deleted series out of the published forecasts (an item's purchase history under
    /// its id is fitted again by the next incremental refit).
    package func forget(_ id: String) {
        _ = models.update { current in
            guard let current, current.model.entries[id] != nil else { return nil }
            var next = current.model
            next.entries[id] = nil
            return .init(model: next, card: current.card)
        }
        worker.signal()
    }

    /// Wakes the trainer after an upload.
    package func refitSoon() { worker.signal() }

    package var snapshot: ForecastSnapshot { models.model ?? ForecastSnapshot() }

    /// When the next full refit is planned (milliseconds since the epoch).
    package var nextRefreshAt: Int64 { nextRefresh.load(ordering: .relaxed) }

    package func entry(_ id: String) -> ForecastSnapshot.Entry? { models.model?.entries[id] }

    /// Fits a series the snapshot lacks on the on-demand thread, publishes it, and hands its
    /// entry to `then` (on that thread; nil when the id is unknown or the forecaster stops).
    /// - Returns: false when too many series wait already.
    package func fitNow(_ id: String, then: @escaping @Sendable (ForecastSnapshot.Entry?) -> Void) -> Bool {
        guard pending.add(id, then) else { return false }
        onDemand.signal()
        return true
    }

    /// Whether every uploaded series and purchased item up to now has a forecast in the snapshot.
    package var isCurrent: Bool {
        progress.withLock { $0.revision } >= store.counts.revision && progress.withLock { $0.fullAt } != .min
    }

    private func run() {
        while !worker.isStopping {
            let now = WallClock.milliseconds()
            let (revision, fullAt) = progress.withLock { $0 }
            let asked = trainings.take()
            if !asked.isEmpty {
                let card = refit(full: true, after: nil, requested: true)
                for completion in asked { completion(.success(card)) }
                continue
            }
            if fullAt == .min || (now - fullAt >= settings.refreshInterval && !models.isHeld) {
                refit(full: true, after: nil)
                continue
            }
            // While a rollback holds, new series still get fitted (on demand) but nothing is refitted.
            if store.counts.revision > revision && !models.isHeld {
                // Let a burst of uploads (an import, a dashboard's bulk call) land first.
                _ = worker.wait(timeoutMilliseconds: 200)
                refit(full: false, after: revision)
                continue
            }
            // Woken by uploads and new items (``refitSoon()``); the timeout is for the schedule.
            _ = worker.wait(timeoutMilliseconds: Int32(min(max(1, settings.refreshInterval - (now - fullAt)), 60_000)))
        }
    }

    private func runOnDemand() {
        while !onDemand.isStopping {
            guard let id = pending.next() else {
                onDemand.wait(timeoutMilliseconds: 5_000)
                continue
            }
            var fitted = entry(id)
            if fitted == nil, let input = store.input(id) {
                let forecast = Self.fit(
                    input,
                    backtest: settings.backtest,
                    pool: snapshot.pool,
                    families: settings.families
                )
                let now = WallClock.milliseconds()
                let published = models.update { current in
                    // The trainer may have published it meanwhile; its entry stands.
                    guard current?.model.entries[id] == nil else { return nil }
                    var next = current?.model ?? ForecastSnapshot()
                    next.entries[id] = ForecastSnapshot.Entry(input, forecast, version: next.version, fittedAt: now)
                    next.applyCalibration(to: [id])
                    return .init(model: next, card: current?.card ?? next.card(trainedAt: now))
                }
                fitted = published?.model.entries[id]
            }
            for waiter in pending.finish(id) { waiter(fitted) }
        }
    }

    /// Fits the series and publishes them.
    /// - Parameters:
    ///   - full: every series (uploaded and event-derived), else only the series uploaded and
    ///     the items first purchased after `after`.
    ///   - after: the store revision already fitted.
    ///   - requested: asked for with `POST /models/forecast/train`; lifts a rollback's hold.
    /// - Returns: the card of the snapshot in service afterwards.
    @discardableResult
    package func refit(full: Bool, after: Int?, requested: Bool = false) -> ModelCard {
        let started = MonotonicClock.nanoseconds()
        trainings.started(at: WallClock.milliseconds())
        let (inputs, revision) = store.inputs(changedAfter: full ? nil : after)
        let version = Int(models.highestVersion) + 1
        let backtest = settings.backtest
        let families = settings.families
        // A full refit learns afresh what items sell, for those with a short history.
        let pool =
            full ? DemandPool.estimate(inputs.lazy.filter(\.fromEvents).map(\.values)) : snapshot.pool
        // Once the service stops, the series not yet fitted are skipped and nothing is published:
        // SIGTERM must not wait for a refit of every series.
        let fitted = ParallelMap.run(count: inputs.count, threads: settings.threads, name: "forecast-worker") {
            [worker] index -> SeriesForecast? in
            worker.isStopping ? nil : Self.fit(inputs[index], backtest: backtest, pool: pool, families: families)
        }
        let now = WallClock.milliseconds()
        if worker.isStopping {
            trainings.abandoned()
            logger.notice("abandoned a refit: the service is stopping")
            return models.current?.card ?? ForecastSnapshot().card(trainedAt: now)
        }
        var entries: [String: ForecastSnapshot.Entry] = [:]
        entries.reserveCapacity(inputs.count)
        for (input, forecast) in zip(inputs, fitted) {
            guard let forecast else { continue }
            entries[input.id] = ForecastSnapshot.Entry(input, forecast, version: version, fittedAt: now)
        }
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        let fullAt = full ? now : progress.withLock { $0.fullAt }
        nextRefresh.store(fullAt + settings.refreshInterval, ordering: .relaxed)
        let calibrate = settings.calibrateIntervals
        let refresh = settings.refreshInterval
        let published = models.update { current in
            var snapshot = current?.model ?? ForecastSnapshot()
            if full {
                snapshot.entries = entries
                snapshot.pool = pool
                snapshot.calibrate(enabled: calibrate)
            } else {
                for (id, entry) in entries { snapshot.entries[id] = entry }
                snapshot.applyCalibration(to: entries.keys)
            }
            snapshot.version = max(version, Int(models.highestVersion) + 1)
            snapshot.nextRefreshAt = fullAt + refresh
            snapshot.lastFitSeconds = seconds
            snapshot.lastFitSeries = inputs.count
            return .init(model: snapshot, card: snapshot.card(trainedAt: now))
        }
        let card = published?.card ?? ForecastSnapshot().card(trainedAt: now)
        if requested { models.release() }
        trainings.published(version: card.version, at: now, seconds: seconds)
        progress.withLock { $0 = (max($0.revision, revision), fullAt) }
        logger.info(
            "fitted forecasts",
            metadata: [
                "version": "\(version)", "series": "\(inputs.count)", "full": "\(full)",
                "seconds": "\((seconds * 1000).rounded() / 1000)",
            ]
        )
        return card
    }

    /// One series' forecast for the frequency's longest horizon, with a backtest over the last
    /// `min(season-based horizon, n / 4)` periods.
    static func fit(
        _ input: SeriesStore.Input,
        backtest: Bool,
        pool: DemandPool,
        families: DemandForecaster.Families = .blend
    ) -> SeriesForecast {
        var options = DemandForecaster.Options()
        options.families = families
        let horizon = input.frequency.maxHorizon
        let held = backtest ? min(Self.backtestHorizon(input.frequency), input.values.count / 4) : 0
        return DemandForecaster.forecast(
            input.values,
            period: input.seasonLength,
            horizon: horizon,
            backtest: held,
            seed: Self.seed(input.id),
            options: options,
            pool: input.fromEvents ? pool : nil,
            covariates: input.covariates
        )
    }

    static func backtestHorizon(_ frequency: Frequency) -> Int {
        switch frequency {
        case .day: return 28
        case .week: return 13
        case .month: return 18
        case .quarter: return 8
        case .year: return 6
        }
    }

    /// FNV-1a of the id: the same series gets the same simulation seed in every snapshot.
    static func seed(_ id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash | 1
    }
}

/// A training asked for refits every series now. A rollback goes to the previous snapshot in
/// memory and holds: no scheduled refits, though new series are still fitted when asked for.
extension Forecaster: RegistryFamily {
    package func wakeTrainer() { worker.signal() }
    package var familyLogger: Logger { logger }
}
