package import CartwiseModels
import HTTPCore
package import Logging
import Synchronization

/// The uplift model in service, with the feature schema it was trained with.
package struct UpliftSnapshot: Sendable {
    package var model: UpliftModel
    package var features: UpliftFeatures
    /// The training exposures (those with a closed window), by arm.
    package var treated: Int
    package var control: Int
    package var campaigns: [String]
    /// Every customer known at training (exposed, or in the customer model's ledger), scored
    /// then: an audience of 55,000 costs a lookup each instead of 64 tree ensembles. Customers
    /// who appear later are scored when asked.
    package var scores: [String: (treated: Double, control: Double)] = [:]

    /// One customer's prediction from their latest exposure attributes and their purchase
    /// record, read up to and including `day`: the row is built as the training rows were.
    func predict(
        context: [ContextField],
        record: CustomerLedger.Record?,
        day: Int32
    ) -> (treated: Double, control: Double, uplift: Double) {
        let purchases = features.history ? record.flatMap { PurchaseHistory.of($0, before: day + 1) } : nil
        return model.predict(features.row(context, history: purchases))
    }
}

/// Trains the uplift model on its own thread from past campaigns' exposures and outcomes: once
/// the logs have replayed, again within `campaigns.retrain_interval_s` of new data, and at once
/// when asked (`POST /models/uplift/train`).
package final class UpliftTrainer: Sendable {
    package let models = ModelRegistry<UpliftSnapshot>(family: "uplift")
    package let trainings = TrainingRequests()
    package let ledger: CampaignLedger
    private let history: @Sendable (String) -> CustomerLedger.Record?
    private let knownCustomers: @Sendable () -> [String]
    private let settings: CampaignSettings
    private let logger: Logger
    private let worker: WorkerThread
    private let lastTrained = Mutex<(generation: Int, at: Int64)>((-1, .min))

    /// - Parameters:
    ///   - ledger: the campaigns, exposures and outcomes.
    ///   - history: a customer's purchase record in the customer model's ledger.
    ///   - knownCustomers: the customers the customer model's ledger knows.
    ///   - settings: `campaigns.*`.
    ///   - logger: for each training's line.
    /// - Throws: ``SocketError`` when the wake-up descriptor cannot be made.
    package init(
        ledger: CampaignLedger,
        history: @escaping @Sendable (String) -> CustomerLedger.Record?,
        knownCustomers: @escaping @Sendable () -> [String] = { [] },
        settings: CampaignSettings,
        logger: Logger
    ) throws {
        self.ledger = ledger
        self.history = history
        self.knownCustomers = knownCustomers
        self.settings = settings
        self.logger = logger
        worker = try WorkerThread()
    }

    package func start() throws {
        try worker.start(name: "uplift-trainer") { [self] in run() }
    }

    package func stop() { worker.stop() }

    package func dataChanged() { worker.signal() }

    private func run() {
        while !worker.isStopping {
            let now = WallClock.milliseconds()
            let generation = ledger.generation
            let last = lastTrained.withLock { $0 }
            let asked = trainings.take()
            if !asked.isEmpty {
                let result = train(generation: generation, requested: true)
                for completion in asked { completion(result) }
                continue
            }
            let due = !models.isHeld && (last.at == .min || now - last.at >= settings.retrainInterval)
            if generation != last.generation && due {
                _ = train(generation: generation, requested: false)
                continue
            }
            let wait = generation != last.generation ? max(1, settings.retrainInterval - (now - last.at)) : 5_000
            worker.wait(timeoutMilliseconds: Int32(min(wait, 5_000)))
        }
    }

    /// The training rows: every first exposure whose attribution window closed by the newest
    /// event, labelled by the campaign's outcome in that window.
    package static func dataset(
        _ contents: CampaignLedger.Contents,
        history: (String) -> CustomerLedger.Record?
    ) -> (features: UpliftFeatures, rows: [[Double]], treated: [Bool], responded: [Bool], campaigns: [String]) {
        var entries: [(customer: String, exposure: CampaignLedger.Exposure, treated: Bool, responded: Bool)] = []
        var campaigns: [String] = []
        for id in contents.order {
            guard let campaign = contents.campaigns[id], let exposures = contents.exposures[id] else { continue }
            let window = campaign.attributionMilliseconds
            var used = false
            for (customer, exposure) in exposures.byCustomer where exposure.time + window <= contents.latest {
                let end = exposure.time + window
                let outcomes = contents.outcomes[customer]
                let times = campaign.outcome == .visit ? outcomes?.visits : outcomes?.purchaseTimes
                let responded = times?.contains { $0 >= exposure.time && $0 < end } ?? false
                let treated = exposures.arms[Int(exposure.arm)] != Campaign.controlArm
                entries.append((customer, exposure, treated, responded))
                used = true
            }
            if used { campaigns.append(id) }
        }
        // A stable order, so the same data give the same model whatever the dictionaries' order.
        entries.sort { ($0.exposure.time, $0.customer) < ($1.exposure.time, $1.customer) }
        var histories: [PurchaseHistory?] = []
        histories.reserveCapacity(entries.count)
        for entry in entries {
            let day = CustomerLedger.day(entry.exposure.time)
            histories.append(history(entry.customer).flatMap { PurchaseHistory.of($0, before: day) })
        }
        let features = UpliftFeatures.learn(
            contexts: entries.map(\.exposure.context),
            history: histories.contains { $0 != nil }
        )
        let rows = zip(entries, histories).map { features.row($0.0.exposure.context, history: $0.1) }
        return (features, rows, entries.map(\.treated), entries.map(\.responded), campaigns)
    }

    private func train(generation: Int, requested: Bool) -> Result<ModelCard, any Error> {
        let started = MonotonicClock.nanoseconds()
        trainings.started(at: WallClock.milliseconds())
        let contents = ledger.contents
        let data = Self.dataset(contents, history: history)
        var parameters = settings.uplift
        parameters.minimumPerArm = settings.minExposuresPerArm
        let trainedAt = WallClock.milliseconds()
        lastTrained.withLock { $0 = (generation, trainedAt) }
        let model: UpliftModel
        do {
            model = try UpliftLearner.train(
                rows: data.rows,
                treated: data.treated,
                responded: data.responded,
                parameters: parameters,
                parallel: { count, job in ParallelMap.run(count: count, threads: 2, name: "uplift-bag", job) }
            )
        } catch {
            models.release()
            trainings.noData()
            return .failure(TrainerError.tooFewExposures(error.description))
        }
        let treatedCount = data.treated.filter { $0 }.count
        var snapshot = UpliftSnapshot(
            model: model,
            features: data.features,
            treated: treatedCount,
            control: data.treated.count - treatedCount,
            campaigns: data.campaigns
        )
        snapshot.scores = score(snapshot, contents: contents)
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        let version = models.highestVersion + 1
        let card = Self.card(snapshot, data: data, version: version, trainedAt: trainedAt, seconds: seconds)
        models.publish(snapshot, card: card, requested: requested)
        trainings.published(version: version, at: trainedAt, seconds: seconds)
        logger.info(
            "trained the uplift model",
            metadata: [
                "version": "\(version)", "treated": "\(snapshot.treated)", "control": "\(snapshot.control)",
                "features": "\(data.features.names.count)", "seconds": "\((seconds * 1000).rounded() / 1000)",
            ]
        )
        return .success(card)
    }

    /// Scores every known customer on two threads, as ``UpliftScorer`` would one by one.
    private func score(
        _ snapshot: UpliftSnapshot,
        contents: CampaignLedger.Contents
    ) -> [String: (treated: Double, control: Double)] {
        var customers = Set(contents.latestContext.keys)
        customers.formUnion(knownCustomers())
        let list = customers.sorted()
        let day = contents.latest == .min ? 0 : CustomerLedger.day(contents.latest)
        let chunk = 2_000
        let history = history
        let parts = ParallelMap.run(count: (list.count + chunk - 1) / chunk, threads: 2, name: "uplift-score") { part in
            list[(part * chunk)..<min(list.count, (part + 1) * chunk)].map { customer in
                let context = contents.latestContext[customer]?.context ?? []
                let score = snapshot.predict(context: context, record: history(customer), day: day)
                return (customer, score.treated, score.control)
            }
        }
        var scores: [String: (treated: Double, control: Double)] = [:]
        scores.reserveCapacity(list.count)
        for part in parts {
            for (customer, treated, control) in part { scores[customer] = (treated, control) }
        }
        return scores
    }

    private static func card(
        _ snapshot: UpliftSnapshot,
        data: (features: UpliftFeatures, rows: [[Double]], treated: [Bool], responded: [Bool], campaigns: [String]),
        version: UInt64,
        trainedAt: Int64,
        seconds: Double
    ) -> ModelCard {
        // The observed effect in the training data next to the model's average prediction:
        // a model that disagrees with its own data's mean is miscalibrated.
        var treatedResponses = 0.0
        var controlResponses = 0.0
        var predicted = 0.0
        for (index, row) in data.rows.enumerated() {
            if data.responded[index] {
                if data.treated[index] { treatedResponses += 1 } else { controlResponses += 1 }
            }
            predicted += snapshot.model.predict(row).uplift
        }
        let observed =
            treatedResponses / Double(max(1, snapshot.treated)) - controlResponses / Double(max(1, snapshot.control))
        return ModelCard(
            family: "uplift",
            version: version,
            trainedAt: trainedAt,
            trainingSeconds: seconds,
            data: [
                .init("treated_exposures", Double(snapshot.treated)),
                .init("control_exposures", Double(snapshot.control)),
                .init("campaigns", Double(snapshot.campaigns.count)),
                .init("features", Double(snapshot.features.names.count)),
                .init("bags", Double(snapshot.model.first.count)),
                .init("trees", Double(snapshot.model.treeCount)),
            ],
            quality: [
                .init("observed_uplift", observed),
                .init("mean_predicted_uplift", predicted / Double(max(1, data.rows.count))),
            ],
            method: snapshot.model.learner == .interaction
                ? "gradient-boosted trees on x, a treated-only copy of x and the treatment flag (interaction learner), "
                    + "bagged, each early-stopped on held-out log-loss"
                : "two-model (T-learner) gradient-boosted trees, bagged, each early-stopped on held-out log-loss"
        )
    }
}

extension UpliftTrainer: RegistryFamily {
    package func wakeTrainer() { worker.signal() }
    package var familyLogger: Logger { logger }
}
