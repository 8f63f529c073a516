import HTTPCore
package import Logging

/// The risk logs under the data directory: `orders/` (imported labelled orders), `audit/`
/// (every decision, JSON), `labels/` (every label, JSON), `risk-policy/` (every change to the
/// rules and lists, JSON) and `risk.salt` (the secret the personal-data hashes use). Opening
/// replays them, in that order, into ``OrderRisk``.
package final class RiskStorage: Sendable {
    package let audit: LogWriter
    package let labels: LogWriter
    package let policy: LogWriter

    private init(audit: LogWriter, labels: LogWriter, policy: LogWriter) {
        self.audit = audit
        self.labels = labels
        self.policy = policy
    }

    /// The salt of `directory`, made on first use.
    /// - Throws: ``StorageError``.
    package static func salt(directory: String) throws(StorageError) -> [UInt8] {
        let path = DataLayout(directory).riskSalt
        if FileSystem.exists(path) {
            let salt = try FileSystem.readAll(path)
            guard salt.count == PersonalData.saltBytes else {
                throw .corrupt(
                    path: path,
                    offset: 0,
                    reason: "a salt is \(PersonalData.saltBytes) bytes and this file holds \(salt.count); restore it "
                        + "from a backup of this data directory"
                )
            }
            return salt
        }
        // A new salt would silently cut every stored email and IP hash off from new orders: the
        // velocity windows and the audit trail would no longer link a returning card or address.
        let audit = DataLayout(directory).log(.audit)
        if FileSystem.exists(audit),
            try RecordLog.segments(audit).contains(where: {
                FileSystem.size(audit + "/" + RecordLog.segmentName($0)) > RecordLog.headerBytes
            })
        {
            throw .failed(
                reason:
                    "\(path) is missing, but the audit trail in \(audit) was hashed with it: restore risk.salt from "
                    + "a backup of this data directory (a new salt would unlink every stored email and IP hash)"
            )
        }
        let salt = PersonalData.newSalt()
        try FileSystem.writeNew(path, salt)
        try FileSystem.syncDirectory(directory)
        return salt
    }

    /// Replays the logs into `risk` and starts their writers. The caller holds the data
    /// directory's lock.
    /// - Parameters:
    ///   - directory: the data directory.
    ///   - risk: receives the orders, decisions and labels.
    ///   - configuration: segment size and durability.
    ///   - logger: for the replay's report.
    ///   - demoOrders: a labelled orders CSV to import when the orders log is empty (the demo's
    ///     `demo/orders.csv`, so the demo's risk model has labels to learn from).
    ///   - catalog: an item's categories, for the imported orders' basket feature.
    ///   - imported: hears every imported order (the customer model counts them as purchases).
    /// - Returns: the writers of the audit trail and the labels.
    /// - Throws: ``StorageError``, or a decode error for a record this version cannot read.
    package static func open(
        directory: String,
        risk: OrderRisk,
        configuration: ServiceConfiguration,
        logger: Logger,
        demoOrders: String? = nil,
        catalog: @escaping (String) -> [String]? = { _ in nil },
        imported: ([OrderRecord]) -> Void = { _ in }
    ) throws -> RiskStorage {
        let started = MonotonicClock.nanoseconds()
        var unknownLabels = 0
        let (ordersLog, ordersReport) = try RecordLog.open(
            directory: DataLayout(directory).log(.orders),
            segmentBytes: configuration.segmentBytes
        ) { _, payload in
            let records = try OrderRecord.decode(batch: payload)
            for record in records { risk.restore(record) }
            imported(records)
        }
        if let demoOrders, ordersReport.records == 0, FileSystem.exists(demoOrders) {
            let history = OrderHistory()
            var importer = OrderImporter(path: demoOrders, now: 0, personal: risk.personal)
            importer.highRiskShare = { risk.highRiskShare($0, catalog) }
            try importer.run(history: history) { batch, _ in
                _ = try ordersLog.append([OrderRecord.encode(batch: batch)])
                for record in batch { risk.restore(record) }
                imported(batch)
            }
            try ordersLog.sync()
        }
        let (auditLog, auditReport) = try RecordLog.open(
            directory: DataLayout(directory).log(.audit),
            segmentBytes: configuration.segmentBytes
        ) { location, payload in
            let (record, score) = try AuditEntry.decodeDecision(payload)
            if let score {
                risk.restore(record, decidedWith: score, at: location)
            } else {
                risk.restore(record)
            }
        }
        let (labelsLog, _) = try RecordLog.open(
            directory: DataLayout(directory).log(.labels),
            segmentBytes: configuration.segmentBytes
        ) { _, payload in
            let label = try LabelRequest.decode(Array(payload), now: 0, replaying: true)
            if !risk.label(label.orderID, fraud: label.fraud) { unknownLabels += 1 }
        }
        let (policyLog, _) = try RecordLog.open(
            directory: DataLayout(directory).log(.riskPolicy),
            segmentBytes: configuration.segmentBytes
        ) { _, payload in
            risk.policies.apply(try RiskPolicyChange.decode(Array(payload)))
        }
        let counts = risk.counts
        logger.info(
            "replayed the risk logs",
            metadata: [
                "orders": "\(counts.orders)", "labelled": "\(counts.labelled)", "frauds": "\(counts.frauds)",
                "decisions": "\(auditReport.records)", "labels_without_order": "\(unknownLabels)",
                "seconds": "\(Double(MonotonicClock.nanoseconds() - started) / 1e9)",
            ]
        )
        risk.retrainSoon()
        let durability = configuration.durability
        return RiskStorage(
            audit: try LogWriter(log: auditLog, durability: durability, name: "audit-log", logger: logger),
            labels: try LogWriter(log: labelsLog, durability: durability, name: "label-log", logger: logger),
            policy: try LogWriter(log: policyLog, durability: durability, name: "risk-policy-log", logger: logger)
        )
    }

    package func stop() {
        audit.stop()
        labels.stop()
        policy.stop()
    }
}
