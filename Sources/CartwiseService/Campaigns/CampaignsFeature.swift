import HTTPCore

/// Campaigns: the campaign log (`POST /campaigns`), exposures and outcomes from the event log,
/// readouts against control, the uplift model and its audiences, and budget plans solved as a
/// MIP (docs/campaigns.md).
package final class CampaignsFeature: Feature {
    package let ledger: CampaignLedger
    package let trainer: UpliftTrainer
    private let customers: CustomersFeature
    private let context: FeatureContext
    private let log = StartedPart<LogWriter>()

    /// - Parameters:
    ///   - context: the shared parts.
    ///   - customers: segments, order values and purchase histories come from its model.
    /// - Throws: ``SocketError`` when the trainer's wake-up descriptor cannot be made.
    package init(_ context: FeatureContext, customers: CustomersFeature) throws {
        self.context = context
        self.customers = customers
        let store = context.store
        ledger = CampaignLedger(catalogPrice: { store.item($0)?.price })
        let customerLedger = customers.trainer.ledger
        trainer = try UpliftTrainer(
            ledger: ledger,
            history: { customerLedger.record(of: $0) },
            knownCustomers: { Array(customerLedger.contents.customers.keys) },
            settings: context.configuration.campaigns,
            logger: context.logger
        )
        let ledger = ledger
        let trainer = trainer
        context.events.subscribe(
            "campaigns",
            events: { events in
                ledger.apply(events)
                // Every view is an outcome, but the trainer looks at the ledger's generation at
                // least every 5 s and retrains at most every campaigns.retrain_interval_s: only
                // exposures (new training rows) are worth a wake-up on the event-log thread.
                if events.contains(where: { $0.type == .exposure }) { trainer.dataChanged() }
            }
        )
    }

    package var name: String { "campaigns" }
    package var families: [any ModelFamily] { [trainer] }

    package func start(storage: ServiceStorage) throws {
        let settings = context.configuration.campaigns
        let (campaignLog, _) = try RecordLog.open(
            directory: context.layout.log(.campaigns),
            segmentBytes: context.configuration.segmentBytes
        ) { [ledger] _, payload in
            ledger.define(try CampaignDecoder.decode(Array(payload), now: 0, settings: settings))
        }
        log.set(
            try LogWriter(
                log: campaignLog,
                durability: context.configuration.durability,
                name: "campaign-log",
                logger: context.logger
            )
        )
        // A demo directory's past campaign: its exposures are in the event log; its definition
        // goes into the campaigns log once.
        if let demo = context.demo, ledger.campaign(DemoCampaign.id) == nil,
            ledger.contents.exposures[DemoCampaign.id] != nil
        {
            let campaign = DemoCampaign.definition(endDay: demo.endDay)
            _ = try log.get.write(Array(CampaignEncoding.campaign(campaign, audienceList: true).utf8))
            ledger.define(campaign)
        }
        storage.erased.onErase { [ledger, trainer] user in
            ledger.forget(user: user)
            trainer.dataChanged()
        }
        let scorerRoutes = routes()
        customers.sections.add { customer in
            guard let scorer = try? scorerRoutes.scorer() else { return nil }
            let score = scorer.score(customer)
            var json: [UInt8] = Array("{\"expected\":\(JSONWriter.number(score.uplift))".utf8)
            json += ",\"treated_response\":\(JSONWriter.number(score.treated))".utf8
            json +=
                ",\"control_response\":\(JSONWriter.number(score.control)),\"model_version\":\(scorer.version)}".utf8
            return ("uplift", json)
        }
        try trainer.start()
    }

    private func routes() -> CampaignRoutes {
        CampaignRoutes(
            ledger: ledger,
            trainer: trainer,
            customers: customers.trainer,
            storage: log,
            settings: context.configuration.campaigns,
            pool: context.pool
        )
    }

    package func register(on routes: inout ServiceRoutes) {
        self.routes().register(on: &routes)
    }

    package func stop() {
        trainer.stop()
        log.ifStarted?.stop()
    }
}
