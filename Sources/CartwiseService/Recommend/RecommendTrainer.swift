package import CartwiseModels
import HTTPCore
package import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Retrains the recommendation model on a dedicated thread and publishes each new snapshot with
/// one atomic swap. Requests never wait for it: they keep using the snapshot they read.
package final class RecommendTrainer: Sendable {
    package typealias Completion = @Sendable (Result<RecommendSnapshot, any Error>) -> Void

    private let store: EventStore
    package let models: ModelRegistry<RecommendSnapshot>
    private let settings: RecommendSettings
    private let directory: String
    private let logger: Logger
    private let worker: WorkerThread
    private let requests = Mutex<[Completion]>([])
    private let trainedSequence = Atomic<Int>(0)
    /// The store's sequence at the last training that found nothing to train on.
    private let emptySequence = Atomic<Int>(0)
    private let training = Mutex<Void>(())
    private let progress = Mutex(TrainingStatus())
    /// The alpha chosen by the last tuning, and when (monotonic milliseconds).
    private let tuned = Mutex<(alpha: Float, at: Int64)?>(nil)
    private let onFirstModel: @Sendable () -> Void
    /// The snapshot versions on disk, re-listed after each write: `GET /models` reads this on
    /// the event loop, where a directory listing has no place.
    private let onDisk = Mutex<[UInt64]>([])

    package init(
        store: EventStore,
        models: ModelRegistry<RecommendSnapshot>,
        settings: RecommendSettings,
        directory: String,
        logger: Logger,
        onFirstModel: @escaping @Sendable () -> Void = {}
    ) throws {
        self.store = store
        self.models = models
        self.settings = settings
        self.directory = directory
        self.logger = logger
        self.onFirstModel = onFirstModel
        worker = try WorkerThread()
    }

    /// Loads the newest intact snapshot from disk, if any.
    /// - Returns: whether one was published.
    @discardableResult
    package func loadNewest() -> Bool {
        onDisk.withLock { $0 = SnapshotFile.versions(in: directory) }
        let (snapshot, skipped) = SnapshotFile.newest(in: directory)
        for problem in skipped { logger.error("skipped a damaged snapshot", metadata: ["error": "\(problem)"]) }
        guard let snapshot else { return false }
        models.publish(snapshot, card: snapshot.card)
        trainedSequence.store(snapshot.info.sequence, ordering: .relaxed)
        logger.info(
            "loaded model snapshot",
            metadata: ["version": "\(snapshot.version)", "users": "\(snapshot.info.users)"]
        )
        return true
    }

    /// Starts the thread: it trains at once if there is data and no model, then as events arrive.
    /// An empty store has nothing to train, so it counts as ready here, before the thread runs:
    /// a probe right after start-up must not race the thread.
    package func start() throws {
        if models.model == nil, store.sequence == 0 { onFirstModel() }
        onDisk.withLock { $0 = SnapshotFile.versions(in: directory) }
        try worker.start(name: "als-trainer") { [self] in run() }
    }

    package func stop() {
        worker.stop()
    }

    /// Asks for a training now; `completion` runs once the new snapshot is published (or failed).
    package func trainNow(_ completion: @escaping Completion) {
        requests.withLock { $0.append(completion) }
        progress.withLock { $0.requested += 1 }
        worker.signal()
    }

    /// Whether a training runs or is queued, and how the last one ended.
    package var status: TrainingStatus { progress.withLock { $0 } }

    /// Publishes the newest snapshot on disk older than the one in service, and holds it against
    /// automatic trainings. It does not wait for a training that runs: it reads a file and swaps
    /// (a training that finishes later does not publish over the hold).
    /// - Returns: the snapshot now in service.
    /// - Throws: ``TrainerError/noPreviousVersion`` or a ``StorageError``.
    package func rollbackSnapshot() throws -> RecommendSnapshot {
        let current = models.current?.card.version ?? .max
        guard let previous = SnapshotFile.versions(in: directory).last(where: { $0 < current }) else {
            throw TrainerError.noPreviousVersion
        }
        let snapshot = try SnapshotFile.read(directory, version: previous)
        models.restore(.init(model: snapshot, card: snapshot.card))
        logger.notice("rolled back the model", metadata: ["from": "\(current)", "to": "\(previous)"])
        return snapshot
    }

    private func run() {
        var lastTraining = MonotonicClock.milliseconds()
        while !worker.isStopping {
            let pending = requests.withLock { waiting in
                defer { waiting.removeAll() }
                return waiting
            }
            let fresh = freshEvents
            let elapsed = Double(MonotonicClock.milliseconds() - lastTraining) / 1000
            // While a rollback holds, only a requested training runs.
            let due =
                !pending.isEmpty
                || (!models.isHeld
                    && ((fresh > 0 && models.model == nil && elapsed >= Self.firstModelRetry)
                        || fresh >= settings.minNewEvents
                        || (fresh > 0 && elapsed >= settings.interval)))
            if due {
                let started = MonotonicClock.nanoseconds()
                progress.withLock { $0.startedAt = WallClock.milliseconds() }
                defer {
                    progress.withLock {
                        $0.startedAt = nil
                        $0.requested = max(0, $0.requested - pending.count)
                        $0.lastFinishedAt = WallClock.milliseconds()
                        $0.lastSeconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
                    }
                }
                do {
                    let snapshot = try trainAndPublish(requested: !pending.isEmpty)
                    progress.withLock { $0.finish(.published, version: snapshot.version) }
                    for completion in pending { completion(.success(snapshot)) }
                } catch TrainerError.noData {
                    if !pending.isEmpty { models.release() }
                    progress.withLock { $0.finish(.noData) }
                    // Nothing to train on (e.g. only CTR impressions, which weigh 0): wait for
                    // new events instead of retrying on every wake-up.
                    emptySequence.store(store.sequence, ordering: .relaxed)
                    logger.notice("no events with a positive weight to train on yet")
                    for completion in pending { completion(.failure(TrainerError.noData)) }
                } catch TrainerError.stopped {
                    logger.notice("abandoned a training: the service is stopping")
                    for completion in pending { completion(.failure(TrainerError.stopped)) }
                } catch {
                    progress.withLock { $0.finish(.failed, error: "\(error)") }
                    logger.error("training failed", metadata: ["error": "\(error)"])
                    for completion in pending { completion(.failure(error)) }
                }
                lastTraining = MonotonicClock.milliseconds()
                continue
            }
            // Woken by each durable batch (``eventsArrived()``); the timeout is for the interval.
            var left = settings.interval - elapsed
            if fresh > 0 && models.model == nil { left = min(left, Self.firstModelRetry - elapsed) }
            worker.wait(timeoutMilliseconds: Int32(min(max(left, 0.05), 60) * 1000))
        }
    }

    /// Events applied since the last training (or since the last one that found nothing).
    private var freshEvents: Int {
        store.sequence - max(trainedSequence.load(ordering: .relaxed), emptySequence.load(ordering: .relaxed))
    }

    /// Seconds between attempts at a first model: each attempt reads the whole store, and
    /// events that weigh nothing (views, impressions) would otherwise start one per batch.
    static let firstModelRetry = 1.0

    /// The event fan-out's call after each durable batch: wakes the thread when the batch makes
    /// a training due by count (the interval is the thread's own timeout).
    package func eventsArrived() {
        let fresh = freshEvents
        if fresh >= settings.minNewEvents || (fresh > 0 && models.model == nil) { worker.signal() }
    }

    /// Trains, writes the snapshot file and publishes it. Synchronous: tests call it directly.
    /// - Returns: the published snapshot.
    /// - Throws: ``TrainerError`` or a ``StorageError``.
    @discardableResult
    package func trainAndPublish(requested: Bool = true) throws -> RecommendSnapshot {
        try training.withLock { _ in
            let snapshot = try train()
            try SnapshotFile.write(snapshot, to: directory, keep: settings.keep)
            onDisk.withLock { $0 = SnapshotFile.versions(in: directory) }
            models.publish(snapshot, card: snapshot.card, requested: requested)
            let first = trainedSequence.exchange(snapshot.info.sequence, ordering: .relaxed) == 0
            if first { onFirstModel() }
            logger.info(
                "published model",
                metadata: [
                    "version": "\(snapshot.version)", "users": "\(snapshot.info.users)",
                    "items": "\(snapshot.info.items)",
                    "interactions": "\(snapshot.info.interactions)", "seconds": "\(snapshot.info.trainingSeconds)",
                    "precision_at_10": "\(snapshot.info.precisionAt10)",
                ]
            )
            return snapshot
        }
    }

    /// Builds the next snapshot from the store, off any lock the request path uses.
    private func train() throws -> RecommendSnapshot {
        let started = MonotonicClock.nanoseconds()
        let view = store.trainingView()
        var users = view.users(weights: store.weights)
        guard !users.isEmpty else { throw TrainerError.noData }
        users.sort { $0.name < $1.name }
        let itemNames = view.itemNames

        // Hold back each sampled user's latest fifth of items (like a temporal test split) to
        // measure precision@10 on data the model never saw.
        let eligible = users.indices.filter { users[$0].weights.count >= 5 && !users[$0].recent.isEmpty }
        let stride = max(1, eligible.count / max(1, settings.holdoutUsers))
        var heldOut: [Int: Set<Int32>] = [:]
        for position in Swift.stride(from: 0, to: eligible.count, by: stride)
        where heldOut.count < settings.holdoutUsers {
            let user = users[eligible[position]]
            let count = max(1, min(user.recent.count, user.weights.count / 5))
            heldOut[eligible[position]] = Set(user.recent.prefix(count))
        }
        var triples: [(row: Int32, column: Int32, value: Float)] = []
        triples.reserveCapacity(users.reduce(0) { $0 + $1.weights.count })
        for (row, user) in users.enumerated() {
            for (item, weight) in user.weights { triples.append((Int32(row), item, weight)) }
        }

        let previous = models.model
        var als = settings.als
        let initial = previous.flatMap {
            Self.aligned($0, users: users.map(\.name), items: itemNames, factors: als.factors)
        }
        let executor = Self.threaded(settings.threads)
        // Once the service stops, the remaining iterations are skipped: a shutdown must not wait
        // minutes for a training whose model nobody will serve (it is discarded below).
        let stopping = { [worker] in worker.isStopping }

        // Quality (and, when due, the choice of alpha) on a model that never saw the held-back items.
        var recall = 0.0
        if !heldOut.isEmpty {
            let validation = CSRMatrix(
                rows: users.count,
                columns: itemNames.count,
                triples: triples.filter { !(heldOut[Int($0.row)]?.contains($0.column) ?? false) }
            )
            let now = MonotonicClock.milliseconds()
            let last = tuned.withLock { $0 }
            let due = settings.autoTune && (last == nil || Double(now - last!.at) / 1000 >= settings.tuneInterval)
            let candidates = due ? settings.alphaGrid : [last?.alpha ?? als.alpha]
            var scores: [(alpha: Float, mean: Double, standardError: Double)] = []
            for alpha in candidates.sorted() {
                var candidate = als
                candidate.alpha = alpha
                let model = candidate.fit(validation, initial: initial, parallel: executor, isCancelled: stopping)
                let perUser = Self.precisionAt10(model, validation, heldOut)
                let mean = perUser.reduce(0, +) / Double(max(1, perUser.count))
                let variance = perUser.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, perUser.count - 1))
                scores.append((alpha, mean, (variance / Double(max(1, perUser.count))).squareRoot()))
            }
            // One-standard-error rule: the smallest alpha (closest to plain binary feedback) whose
            // held-out precision is within one standard error of the best; differences inside the
            // validation noise should not push the confidence scale up.
            let top = scores.max { $0.mean < $1.mean }!
            let chosen = scores.first { $0.mean >= top.mean - top.standardError }!
            let best: (alpha: Float, recall: Double)? = (chosen.alpha, chosen.mean)
            als.alpha = best!.alpha
            recall = best!.recall
            if due {
                tuned.withLock { $0 = (best!.alpha, now) }
                logger.info(
                    "tuned alpha on the held-back slice",
                    metadata: ["alpha": "\(best!.alpha)", "precision_at_10": "\(recall)"]
                )
            }
        } else if settings.autoTune, let last = tuned.withLock({ $0 }) {
            als.alpha = last.alpha
        }
        let matrix = CSRMatrix(rows: users.count, columns: itemNames.count, triples: triples)
        let factors = als.fit(matrix, initial: initial, parallel: executor, isCancelled: stopping)
        if worker.isStopping { throw TrainerError.stopped }
        let candidates = CandidateTable(factors: factors, seen: matrix, width: settings.candidates, parallel: executor)

        var categories: [String: Set<Int32>] = [:]
        var itemIndex: [String: Int32] = [:]
        for (index, name) in itemNames.enumerated() { itemIndex[name] = Int32(index) }
        for (id, item) in view.catalog {
            guard let index = itemIndex[id] else { continue }
            for category in item.categories { categories[category, default: []].insert(index) }
        }
        let version = max(previous?.version ?? 0, SnapshotFile.versions(in: directory).last ?? 0) + 1
        let info = RecommendSnapshot.Info(
            version: version,
            trainedAt: WallClock.milliseconds(),
            trainingSeconds: Double(MonotonicClock.nanoseconds() - started) / 1e9,
            users: users.count,
            items: itemNames.count,
            interactions: triples.count,
            sequence: view.sequence,
            precisionAt10: recall,
            usersEvaluated: heldOut.count,
            factors: als.factors,
            regularization: als.regularization,
            alpha: als.alpha,
            iterations: als.iterations
        )
        let popularity = view.popularity()
        return RecommendSnapshot(
            info: info,
            userNames: users.map(\.name),
            itemNames: itemNames,
            factors: factors,
            popular: popularity.map(\.item),
            popularScores: popularity.map { Float(exp($0.logScore - (popularity.first?.logScore ?? 0))) },
            categoryItems: categories,
            candidates: candidates
        )
    }

    /// Per-user precision@10 of a model trained without the held-back items: the share of each
    /// user's top 10 (training items excluded) that are among their held-back items.
    private static func precisionAt10(
        _ model: ALSFactors,
        _ matrix: CSRMatrix,
        _ heldOut: [Int: Set<Int32>]
    ) -> [Double] {
        heldOut.sorted { $0.key < $1.key }.map { row, items in
            let seen = Set(matrix.indices[matrix.offsets[row]..<matrix.offsets[row + 1]].map(Int.init))
            let top = model.recommend(vector: Array(model.users.row(row)), k: 10) { seen.contains($0) }
            return Double(top.filter { items.contains(Int32($0.item)) }.count) / 10
        }
    }

    /// The previous factors re-indexed to the new user and item order (zero rows where new).
    private static func aligned(
        _ previous: RecommendSnapshot,
        users: [String],
        items: [String],
        factors: Int
    ) -> ALSFactors? {
        guard previous.factors.factors == factors else { return nil }
        func remap(_ names: [String], _ index: [String: Int], _ matrix: DenseMatrix) -> DenseMatrix {
            var values = [Float](repeating: 0, count: names.count * factors)
            for (row, name) in names.enumerated() {
                guard let old = index[name] else { continue }
                values.replaceSubrange((row * factors)..<((row + 1) * factors), with: matrix.row(old))
            }
            return DenseMatrix(rows: names.count, columns: factors, values: values)
        }
        return ALSFactors(
            users: remap(users, previous.userIndex, previous.factors.users),
            items: remap(items, previous.itemIndex, previous.factors.items)
        )
    }

    /// Runs the half-step chunks on `threads` threads, the calling one among them.
    package static func threaded(_ threads: Int) -> ImplicitALS.Executor {
        { count, job in ParallelMap.run(count: count, threads: threads, name: "als-worker", job) }
    }

}

extension RecommendTrainer: ModelFamily {
    package var family: String { models.family }
    package var card: ModelCard? { models.current?.card }
    package var versions: [UInt64] { onDisk.withLock { $0 } }
    package var isHeld: Bool { models.isHeld }

    package func train(_ completion: @escaping @Sendable (Result<ModelCard, any Error>) -> Void) {
        trainNow { result in completion(result.map(\.card)) }
    }

    package func rollback() throws -> ModelCard { try rollbackSnapshot().card }
}
