package import CartwiseModels
import HTTPCore
package import Logging
import Synchronization

/// Learns the click model from the event stream on its own thread and publishes immutable
/// ``CTRModel`` generations with one reference swap.
///
/// Labels come three ways: an impression that says `clicked`, a click carrying the impression's
/// `impression_id`, or the label window running out (a negative). Events are hashed into
/// coordinates on the thread that applies them (compact, so a replay of millions of impressions
/// queues kilobytes, not their JSON), and learned in stream order on the learner thread.
package final class CTRLearner: Sendable {
    enum Input: Sendable {
        case labelled(coordinates: [UInt32], clicked: Bool)
        case shown(id: String?, coordinates: [UInt32], timestamp: Int64)
        case click(id: String, timestamp: Int64)
    }

    struct Pending {
        var coordinates: [UInt32]
        var timestamp: Int64
    }

    /// Owned by the learner thread; behind a lock only so the type is provably Sendable.
    struct State {
        var model: FTRLProximal
        var report = CalibrationReport()
        var pending: [String: Pending] = [:]
        /// Pending keys in arrival order, consumed from `head` as their window runs out.
        var order: [(key: String, timestamp: Int64)] = []
        var head = 0
        var serial = 0
        /// The latest event time seen: the clock of a replay, where wall time means nothing.
        var streamTime: Int64 = .min
        var expired = 0
        var lateClicks = 0
        var dirty = false
        var lastPublish: Int64?
        var version: UInt64 = 0
    }

    package let features: CTRFeatures
    private let settings: CTRSettings
    private let logger: Logger
    private let catalog = Mutex(CTRCatalog())
    private let queue = Mutex<[Input]>([])
    private let state: Mutex<State>
    /// The published generations; the learner thread is the only publisher.
    package let models = ModelRegistry<CTRModel>(family: "ctr")
    package let trainings = TrainingRequests()
    private let worker: WorkerThread
    /// Set once the logs are replayed: only then may wall time expire pending impressions
    /// (during a replay their clicks may still be further on in the log).
    private let live = Atomic<Bool>(false)

    package init(settings: CTRSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        let hasher = FeatureHasher(bits: settings.bits)
        features = CTRFeatures(hasher: hasher, crosses: settings.crosses)
        state = Mutex(State(model: FTRLProximal(size: hasher.size, parameters: settings.parameters)))
        worker = try WorkerThread()
    }

    /// The store's observer: impressions and clicks to learn from, item categories to hash.
    package var observer: EventObserver {
        EventObserver(events: { [self] in offer($0) }, items: { [self] in learnCategories($0) })
    }

    /// The model in service, or nil before the first labelled impression.
    package var model: CTRModel? { models.model }

    /// Inputs hashed but not yet learned (for `GET /models/ctr` and tests that wait for quiet).
    package var backlog: Int { queue.withLock { $0.count } }

    /// Every catalog item, hashed, at once (a copy-on-write reference, O(1) under the lock): a
    /// request ranking many items looks them up without taking the lock per item.
    package var hashedCatalog: CTRCatalog { catalog.withLock { $0 } }

    package func start() throws {
        try worker.start(name: "ctr-learner") { [self] in run() }
    }

    /// The logs are replayed: from now on wall time also ends label windows.
    package func markLive() {
        live.store(true, ordering: .releasing)
        worker.signal()
    }

    package func stop() {
        worker.stop()
    }

    // MARK: - Intake (any thread)

    func offer(_ events: [Event]) {
        var inputs: [Input] = []
        let known = catalog.withLock { $0 }
        // One token buffer for the whole batch: hashing an impression allocates only its result.
        var tokens = CTRFeatures.Tokens(capacity: 64)
        let none = CTRFeatures.Tokens()
        // Events read in place: copying each one retained and released all its strings.
        events.withUnsafeBufferPointer { events in
            for index in events.indices {
                switch events[index].type {
                case .impression:
                    let event = events[index]
                    CTRFeatureBuilder.impression(event, categories: known[event.item]?.categories ?? [], into: &tokens)
                    let coordinates = features.coordinates(shared: tokens, own: none)
                    if let clicked = event.clicked {
                        inputs.append(.labelled(coordinates: coordinates, clicked: clicked))
                    } else {
                        inputs.append(
                            .shown(id: event.impressionID, coordinates: coordinates, timestamp: event.timestamp)
                        )
                    }
                case .click:
                    if let id = events[index].impressionID {
                        inputs.append(.click(id: id, timestamp: events[index].timestamp))
                    }
                default:
                    continue
                }
            }
        }
        guard !inputs.isEmpty else { return }
        queue.withLock { $0.append(contentsOf: inputs) }
        worker.signal()
    }

    private func learnCategories(_ items: [Item]) {
        let hashed = items.map { ($0.id, CTRCatalogItem(id: $0.id, categories: $0.categories)) }
        catalog.withLock { known in
            for (id, item) in hashed { known.set(id, item) }
        }
    }

    // MARK: - Learning (the learner thread)

    private func run() {
        while !worker.isStopping {
            let batch = queue.withLock { waiting in
                defer { waiting.removeAll(keepingCapacity: true) }
                return waiting
            }
            let asked = trainings.take()
            let now = WallClock.milliseconds()
            let isLive = live.load(ordering: .acquiring)
            // Publish at most every publish interval, and always within one after the last update.
            let wait = state.withLock { state -> Int32 in
                for input in batch { learn(input, &state) }
                if isLive { expire(until: max(state.streamTime, now), &state) }
                if !asked.isEmpty {
                    // Asked for: publish what has been learned now, even unchanged, and lift a hold.
                    let card = publish(&state, at: now, requested: true)
                    for completion in asked {
                        completion(card.map { .success($0) } ?? .failure(TrainerError.nothingLearned))
                    }
                    return 1000
                }
                guard state.dirty else { return 1000 }
                let since = state.lastPublish.map { now - $0 } ?? .max
                if since >= settings.publishInterval {
                    publish(&state, at: now)
                    return 1000
                }
                return Int32(max(1, min(1000, settings.publishInterval - since)))
            }
            if batch.isEmpty { worker.wait(timeoutMilliseconds: wait) }
        }
    }

    private func learn(_ input: Input, _ state: inout State) {
        switch input {
        case .labelled(let coordinates, let clicked):
            train(coordinates, clicked, &state)
        case .shown(let id, let coordinates, let timestamp):
            let key: String
            if let id {
                key = id
            } else {
                state.serial += 1
                key = "\u{0}" + String(state.serial)
            }
            if state.pending[key] == nil {
                state.pending[key] = Pending(coordinates: coordinates, timestamp: timestamp)
                state.order.append((key, timestamp))
            }
            state.streamTime = max(state.streamTime, timestamp)
            expire(until: state.streamTime, &state)
        case .click(let id, let timestamp):
            if let shown = state.pending.removeValue(forKey: id) {
                train(shown.coordinates, true, &state)
            } else {
                state.lateClicks += 1
            }
            state.streamTime = max(state.streamTime, timestamp)
            expire(until: state.streamTime, &state)
        }
    }

    private func train(_ coordinates: [UInt32], _ clicked: Bool, _ state: inout State) {
        let predicted = state.model.update(coordinates, clicked: clicked)
        state.report.record(predicted: predicted, clicked: clicked)
        state.dirty = true
    }

    /// Learns every impression whose label window ended by `now` as a negative.
    private func expire(until now: Int64, _ state: inout State) {
        while state.head < state.order.count {
            let (key, timestamp) = state.order[state.head]
            guard timestamp &+ settings.labelWindow <= now else { break }
            state.head += 1
            if let shown = state.pending[key], shown.timestamp == timestamp {
                state.pending.removeValue(forKey: key)
                train(shown.coordinates, false, &state)
                state.expired += 1
            }
        }
        if state.head > 4096 && state.head * 2 > state.order.count {
            state.order.removeFirst(state.head)
            state.head = 0
        }
    }

    /// - Returns: the published card, or nil when nothing has been learned yet (or a rollback
    ///   holds and this publication was not asked for).
    @discardableResult
    private func publish(_ state: inout State, at now: Int64, requested: Bool = false) -> ModelCard? {
        state.dirty = false
        state.lastPublish = now
        guard state.report.examples > 0 else { return nil }
        if models.isHeld && !requested { return nil }
        let started = MonotonicClock.nanoseconds()
        state.version = max(state.version, models.highestVersion) + 1
        let model = CTRModel(
            info: CTRModel.Info(
                version: state.version,
                publishedAt: now,
                examples: state.report.examples,
                positives: state.report.positives,
                logLoss: state.report.logLoss,
                deciles: state.report.deciles,
                nonZeroWeights: state.model.nonZeroWeights,
                pendingImpressions: state.pending.count,
                expiredAsNegative: state.expired,
                lateClicks: state.lateClicks
            ),
            features: features,
            weights: state.model.weights()
        )
        let card = model.card(trainingSeconds: Double(MonotonicClock.nanoseconds() - started) / 1e9)
        models.publish(model, card: card, requested: requested)
        trainings.published(version: model.version, at: now, seconds: card.trainingSeconds)
        logger.debug(
            "published click model",
            metadata: ["version": "\(model.version)", "examples": "\(model.info.examples)"]
        )
        return card
    }
}

/// The click model learns online: a training asked for publishes what it has learned now; a
/// rollback goes to the previous generation in memory (the model is a function of the event
/// log and keeps no files).
extension CTRLearner: RegistryFamily {
    package func wakeTrainer() { worker.signal() }
    package var familyLogger: Logger { logger }
}
