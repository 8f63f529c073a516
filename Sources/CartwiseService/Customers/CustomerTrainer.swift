import CartwiseModels
import HTTPCore
package import Logging
import Synchronization

/// Builds the customer model on its own thread: once the logs have replayed, again within
/// `customers.retrain_interval_s` of new purchases or orders, and at once when asked.
package final class CustomerTrainer: Sendable {
    package let ledger = CustomerLedger()
    package let models = ModelRegistry<CustomerModel>(family: "customers")
    package let trainings = TrainingRequests()
    private let settings: CustomerSettings
    private let logger: Logger
    private let catalog: @Sendable (String) -> Item?
    private let worker: WorkerThread
    /// The ledger generation and the time of the last training.
    private let lastTrained = Mutex<(generation: Int, at: Int64)>((-1, .min))

    /// - Parameters:
    ///   - settings: `customers.*`.
    ///   - logger: for each training's line.
    ///   - catalog: an item's catalog entry, read at training time.
    /// - Throws: ``SocketError`` when the trainer's wake-up descriptor cannot be made.
    package init(
        settings: CustomerSettings,
        logger: Logger,
        catalog: @escaping @Sendable (String) -> Item?
    ) throws {
        self.settings = settings
        self.logger = logger
        self.catalog = catalog
        worker = try WorkerThread()
    }

    /// The model in service, or nil before the first training.
    package var model: CustomerModel? { models.model }

    /// Starts the thread; call once the logs have replayed, so the first model sees them all.
    package func start() throws {
        try worker.start(name: "customer-trainer") { [self] in run() }
    }

    package func stop() { worker.stop() }

    /// New data arrived: the trainer looks at it within its interval.
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

    private func train(generation: Int, requested: Bool) -> Result<ModelCard, any Error> {
        let started = MonotonicClock.nanoseconds()
        trainings.started(at: WallClock.milliseconds())
        let contents = ledger.contents
        var builder = CustomerModelBuilder(settings: settings)
        builder.parallel = { count, job in ParallelMap.run(count: count, threads: 2, name: "customer-kmeans", job) }
        builder.isCancelled = { [worker] in worker.isStopping }
        guard
            let (model, report) = builder.build(
                contents,
                catalog: catalog,
                clock: MonotonicClock.nanoseconds
            )
        else {
            trainings.abandoned()
            logger.notice("abandoned a customer model training: the service is stopping")
            return .failure(TrainerError.stopped)
        }
        let trainedAt = WallClock.milliseconds()
        lastTrained.withLock { $0 = (generation, trainedAt) }
        guard report.purchasers > 0 else {
            models.release()
            trainings.noData()
            return .failure(TrainerError.noPurchases)
        }
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        let version = models.highestVersion + 1
        let card = Self.card(model, report: report, version: version, trainedAt: trainedAt, seconds: seconds)
        models.publish(model, card: card, requested: requested)
        trainings.published(version: version, at: trainedAt, seconds: seconds)
        logger.info(
            "trained the customer model",
            metadata: [
                "version": "\(version)", "customers": "\(report.customers)", "purchasers": "\(report.purchasers)",
                "segments": "\(model.segments.count)", "seconds": "\((seconds * 1000).rounded() / 1000)",
            ]
        )
        return .success(card)
    }

    private static func card(
        _ model: CustomerModel,
        report: CustomerModelBuilder.Report,
        version: UInt64,
        trainedAt: Int64,
        seconds: Double
    ) -> ModelCard {
        ModelCard(
            family: "customers",
            version: version,
            trainedAt: trainedAt,
            trainingSeconds: seconds,
            data: [
                .init("customers", Double(report.customers)),
                .init("purchasers", Double(report.purchasers)),
                .init("repeat_buyers", Double(report.repeatBuyers)),
                .init("segments", Double(model.segments.count)),
            ],
            quality: [
                .init("silhouette", report.silhouette),
                .init("holdout_mae_per_customer", report.validationError),
                .init("holdout_predicted_purchases", report.validationPredicted),
                .init("holdout_actual_purchases", report.validationActual),
            ],
            method: model.selection
        )
    }
}

/// A training asked for builds the model now (409 when nobody has bought anything).
extension CustomerTrainer: RegistryFamily {
    package func wakeTrainer() { worker.signal() }
    package var familyLogger: Logger { logger }
}
