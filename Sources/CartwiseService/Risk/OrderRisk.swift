import CartwiseModels
import HTTPCore
package import Logging
import Synchronization

/// Order risk as one unit: the velocity windows, the orders and labels the trees learn from,
/// the published model, the recent decisions the thresholds dry run replays, and the
/// `risk-trainer` thread that retrains when labels arrive.
package final class OrderRisk: Sendable {
    /// A decision kept for the thresholds dry run.
    struct Recent {
        var score: Double
        var row: Int
    }

    /// The latest `risk.recent_orders` decisions, one per order: a ring, and where each order's
    /// row is in it, so an order scored again replaces its decision instead of counting twice.
    struct RecentDecisions {
        var entries: [Recent] = []
        var next = 0
        var positions: [Int: Int] = [:]
    }

    package let settings: RiskSettings
    package let history = OrderHistory()
    package let personal: PersonalData
    private let dataset: Mutex<RiskDataset>
    /// The published trees; the risk-trainer thread is the only publisher.
    package let models = ModelRegistry<RiskModel>(family: "risk")
    package let trainings = TrainingRequests()
    /// The rules and lists kept over the API.
    package let policies = RiskPolicyBook()
    private let recent = Mutex(RecentDecisions())
    private let worker: WorkerThread
    private let logger: Logger
    private let lastTrained = Mutex<(generation: Int, at: Int64)>((-1, .min))

    package init(settings: RiskSettings, personal: PersonalData, logger: Logger) throws {
        self.settings = settings
        self.personal = personal
        self.logger = logger
        dataset = Mutex(RiskDataset(maxOrders: settings.maxOrders))
        worker = try WorkerThread()
    }

    package func start() throws {
        try worker.start(name: "risk-trainer") { [self] in run() }
    }

    package func stop() { worker.stop() }

    /// The trees in service, nil while the rule score decides.
    package var model: RiskModel? { models.model }

    package var counts: (orders: Int, labelled: Int, frauds: Int) {
        dataset.withLock { ($0.count, $0.labelled, $0.frauds) }
    }

    /// Whether an order with this id was scored or imported.
    package func knows(_ id: String) -> Bool { dataset.withLock { $0.contains(id) } }

    // MARK: - Intake

    /// Replays or imports a stored order: its keys enter the velocity windows, its features
    /// the dataset.
    package func restore(_ record: OrderRecord) {
        _ = history.record(record.keys, amount: record.amount, at: record.createdAt, id: record.id)
        dataset.withLock { _ = $0.add(record) }
    }

    /// A decision replayed from the audit trail: the order as ``restore(_:)`` takes it, and its
    /// decision for the thresholds dry run and `GET /score-order/{order_id}`.
    package func restore(_ record: OrderRecord, decidedWith score: Double, at location: RecordLog.Location) {
        _ = history.record(record.keys, amount: record.amount, at: record.createdAt, id: record.id)
        remember(record, score: score, at: location)
    }

    /// A scored order, once its audit entry is durable.
    /// - Parameters:
    ///   - record: the order as scored.
    ///   - score: the score it was decided on.
    ///   - location: its audit entry.
    package func accept(_ record: OrderRecord, score: Double, at location: RecordLog.Location? = nil) {
        remember(record, score: score, at: location)
    }

    private func remember(_ record: OrderRecord, score: Double, at location: RecordLog.Location?) {
        let row = dataset.withLock { data in
            let row = data.add(record)
            if let location { data.setDecision(row: row, at: location) }
            return row
        }
        recent.withLock { recent in
            if let position = recent.positions[row] {
                recent.entries[position].score = score
                return
            }
            if recent.entries.count < settings.recentOrders {
                // Reserved whole on first use: growing by doubling would copy it under the lock.
                if recent.entries.isEmpty {
                    recent.entries.reserveCapacity(settings.recentOrders)
                    recent.positions.reserveCapacity(settings.recentOrders)
                }
                recent.positions[row] = recent.entries.count
                recent.entries.append(Recent(score: score, row: row))
            } else {
                recent.positions[recent.entries[recent.next].row] = nil
                recent.entries[recent.next] = Recent(score: score, row: row)
                recent.positions[row] = recent.next
                recent.next = (recent.next + 1) % settings.recentOrders
            }
        }
    }

    /// Where order `id`'s latest decision is in the audit trail (nil: never scored here, or no
    /// longer among the `risk.max_orders` orders held).
    package func decisionLocation(_ id: String) -> RecordLog.Location? {
        dataset.withLock { $0.decision(of: id) }
    }

    /// - Returns: false when no order has this id.
    @discardableResult
    package func label(_ id: String, fraud: Bool) -> Bool {
        let known = dataset.withLock { $0.label(id, fraud: fraud) }
        if known { worker.signal() }
        return known
    }

    /// Wakes the trainer (after a replay or an import).
    package func retrainSoon() { worker.signal() }

    // MARK: - Scoring

    /// Features, score, reasons and decision for an order; records it in the velocity windows.
    package func score(_ order: Order, catalog: (String) -> [String]?, now: Int64) -> AuditEntry.Decided {
        let keys = OrderHistory.Keys(order, personal: personal)
        let before = history.record(keys, amount: order.amount, at: order.createdAt, id: order.id)
        let derived = RiskFeatures.derive(order, before: before, highRiskShare: highRiskShare(order, catalog))
        let record = OrderRecord(
            id: order.id,
            createdAt: order.createdAt,
            amount: order.amount,
            keys: keys,
            derived: derived,
            signals: order.signals,
            fraud: nil
        )
        let signals = order.signals
        let scored: (score: Double, reasons: [RiskModel.Reason])
        let model = self.model
        if let model {
            scored = model.score(model.vector(derived: derived, signals: order.signals), limit: settings.reasons)
        } else {
            let rules = RuleScore.score(derived: derived)
            scored = (rules.score, Array(rules.reasons.prefix(settings.reasons)))
        }
        return AuditEntry.Decided(
            order: order,
            record: record,
            score: scored.score,
            decision: RiskDecision.decide(
                order,
                keys: keys,
                value: { name in
                    if let position = RiskFeatures.positions[name] { return derived[position] }
                    let signal = name.dropFirst("signals.".count)
                    return signals.first { $0.name == signal }?.value ?? .nan
                },
                score: scored.score,
                settings: settings,
                policy: policies.current
            ),
            reasons: scored.reasons,
            reasonsJSON: AuditEntry.reasons(scored.reasons),
            model: model == nil ? "rules" : "gbdt",
            modelVersion: model?.info.version ?? 0,
            decidedAt: now
        )
    }

    /// The share of `order`'s basket value in `risk.high_risk_categories`.
    package func highRiskShare(_ order: Order, _ catalog: (String) -> [String]?) -> Double? {
        RiskFeatures.highRiskShare(order, categories: catalog, highRisk: settings.highRiskCategories)
    }

    // MARK: - Dry run

    package struct Cut: Sendable, Equatable {
        package var flagged: Int
        package var fraudsFlagged: Int
        package var precision: Double?
        package var recall: Double?
    }

    package struct DryRun: Sendable, Equatable {
        package var orders: Int
        package var approve: Int
        package var review: Int
        package var decline: Int
        package var labelled: Int
        package var frauds: Int
        /// Orders at or above each threshold (review includes the declined ones).
        package var reviewCut: Cut
        package var declineCut: Cut
    }

    /// What the thresholds would have done to the recent decisions, and, where labels exist,
    /// how precise and complete each cut is.
    /// - Parameters:
    ///   - review: the review threshold to try.
    ///   - decline: the decline threshold to try.
    ///   - rescore: score the orders again with the model in service instead of using the
    ///     scores they were decided with (which may come from the rules or an older model).
    /// - Returns: the counts per outcome and each cut's precision and recall.
    package func dryRun(review: Double, decline: Double, rescore: Bool = false) -> DryRun {
        var entries = recent.withLock { $0.entries }
        let labels = dataset.withLock { data in entries.map { data.label(row: $0.row) } }
        if rescore, let model {
            let rows = dataset.withLock { data in entries.map { data.values(row: $0.row, names: model.names) } }
            for index in entries.indices { entries[index].score = model.trees.probability(rows[index]) }
        }
        var run = DryRun(
            orders: entries.count,
            approve: 0,
            review: 0,
            decline: 0,
            labelled: 0,
            frauds: 0,
            reviewCut: Cut(flagged: 0, fraudsFlagged: 0),
            declineCut: Cut(flagged: 0, fraudsFlagged: 0)
        )
        var labelledReview = 0
        var labelledDecline = 0
        for (entry, label) in zip(entries, labels) {
            let outcome = RiskDecision.cut(entry.score, review: review, decline: decline)
            switch outcome {
            case .approve: run.approve += 1
            case .review: run.review += 1
            case .decline: run.decline += 1
            }
            let flaggedForReview = outcome != .approve
            if flaggedForReview { run.reviewCut.flagged += 1 }
            if outcome == .decline { run.declineCut.flagged += 1 }
            guard let label else { continue }
            run.labelled += 1
            if flaggedForReview { labelledReview += 1 }
            if outcome == .decline { labelledDecline += 1 }
            if label {
                run.frauds += 1
                if flaggedForReview { run.reviewCut.fraudsFlagged += 1 }
                if outcome == .decline { run.declineCut.fraudsFlagged += 1 }
            }
        }
        func finish(_ cut: inout Cut, _ labelledFlagged: Int, _ frauds: Int) {
            cut.precision = labelledFlagged > 0 ? Double(cut.fraudsFlagged) / Double(labelledFlagged) : nil
            cut.recall = frauds > 0 ? Double(cut.fraudsFlagged) / Double(frauds) : nil
        }
        finish(&run.reviewCut, labelledReview, run.frauds)
        finish(&run.declineCut, labelledDecline, run.frauds)
        return run
    }

    // MARK: - Training (the risk-trainer thread)

    private func run() {
        while !worker.isStopping {
            let now = WallClock.milliseconds()
            let (generation, labelled, frauds) = dataset.withLock { ($0.generation, $0.labelled, $0.frauds) }
            let last = lastTrained.withLock { $0 }
            let enough = labelled >= settings.minLabels && frauds >= settings.minFraudLabels
            let asked = trainings.take()
            if !asked.isEmpty {
                guard enough else {
                    models.release()
                    trainings.noData()
                    let error = TrainerError.tooFewLabels(
                        labelled: labelled,
                        frauds: frauds,
                        neededLabels: settings.minLabels,
                        neededFrauds: settings.minFraudLabels
                    )
                    for completion in asked { completion(.failure(error)) }
                    continue
                }
                let card = train(generation: generation, requested: true)
                for completion in asked { completion(.success(card)) }
                continue
            }
            // While a rollback holds, only a requested training runs.
            let due = !models.isHeld && (last.at == .min || now - last.at >= settings.retrainInterval)
            if enough && generation != last.generation && due {
                train(generation: generation, requested: false)
                continue
            }
            let wait =
                enough && generation != last.generation ? max(1, settings.retrainInterval - (now - last.at)) : 5000
            worker.wait(timeoutMilliseconds: Int32(min(wait, 5000)))
        }
    }

    @discardableResult
    private func train(generation: Int, requested: Bool) -> ModelCard {
        let started = MonotonicClock.nanoseconds()
        trainings.started(at: WallClock.milliseconds())
        let (names, columns, labels) = dataset.withLock { $0.trainingSet() }
        let trees = GradientBoostedTrees.train(columns: columns, labels: labels, parameters: settings.parameters)
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        let version = models.highestVersion + 1
        let info = RiskModel.Info(
            version: version,
            trainedAt: WallClock.milliseconds(),
            orders: labels.count,
            frauds: labels.reduce(0) { $0 + ($1 ? 1 : 0) },
            seconds: seconds
        )
        let trained = RiskModel(info: info, names: names, trees: trees)
        models.publish(trained, card: trained.card, requested: requested)
        lastTrained.withLock { $0 = (generation, info.trainedAt) }
        trainings.published(version: version, at: info.trainedAt, seconds: seconds)
        logger.info(
            "trained the risk model",
            metadata: [
                "version": "\(version)", "orders": "\(info.orders)", "frauds": "\(info.frauds)",
                "trees": "\(trees.trees.count)", "seconds": "\((seconds * 1000).rounded() / 1000)",
            ]
        )
        return trained.card
    }
}

/// A training asked for retrains now on the labelled orders (409 when there are too few labels).
extension OrderRisk: RegistryFamily {
    package func wakeTrainer() { worker.signal() }
    package var familyLogger: Logger { logger }
}
