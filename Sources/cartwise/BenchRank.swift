import ArgumentParser
import CartwiseModels
import CartwiseService
import HTTPCore

/// `cartwise bench rank`: the CPU cost of each stage of one `POST /rank` on the loop thread
/// (decode, score every item, pick the best k, write the answer), in-process and without the
/// network, so a change to one stage can be measured apart from the scheduler's noise.
///
/// The click model is learned from a labelled CTR CSV as `import ctr` reads it; the catalog
/// (each item's categories) comes from one of its columns, `|`-separated, as
/// `benchmarks/rank.sh` builds it for the service.
struct BenchRank: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Time each stage of POST /rank in-process on a labelled CTR CSV and a /rank body."
    )

    @Argument(help: "Labelled CTR CSV to learn from (as `import ctr` reads it).")
    var file: String
    @Argument(help: "A /rank JSON body.")
    var body: String
    @Option(help: "The CSV column whose |-separated values are each item's catalog categories.")
    var categoryColumn = "genres"
    @Option(help: "Comma-separated field*field crosses.")
    var crosses = "user*category,user*genres,user*release_year,item*gender,item*age,item*occupation"
    @Option var bits = 22
    @Option var alpha = 0.2
    @Option(help: "Requests per stage and round.")
    var requests = 20_000
    @Option(help: "Rounds; each stage's median is reported.")
    var rounds = 5

    func run() throws {
        var events: [Event] = []
        try CTRImporter(path: file, now: WallClock.milliseconds()).run { batch, _ in events += batch }
        var catalog = CTRCatalog()
        for event in events where catalog[event.item] == nil {
            let categories = event.context.first { $0.name == categoryColumn }.flatMap { field -> [String]? in
                guard case .string(let text) = field.value else { return nil }
                return text.split(separator: "|").map(String.init)
            }
            catalog.set(event.item, CTRCatalogItem(id: event.item, categories: categories ?? []))
        }
        guard let pairs = Setting.crossList(crosses) else { throw ValidationError("--crosses must be field*field,...") }
        let features = CTRFeatures(
            hasher: FeatureHasher(bits: bits),
            crosses: pairs.map { CTRFeatures.Cross($0.0, $0.1) }
        )
        let learner = BenchCTR.pass(
            events,
            features,
            FTRLProximal.Parameters(alpha: alpha, beta: 1, l1: 1, l2: 1),
            catalog: catalog
        ).model
        let info = CTRModel.Info(
            version: 1,
            publishedAt: 0,
            examples: events.count,
            positives: 0,
            logLoss: 0,
            deciles: [],
            nonZeroWeights: learner.nonZeroWeights,
            pendingImpressions: 0,
            expiredAsNegative: 0,
            lateClicks: 0
        )
        let model = CTRModel(info: info, features: features, weights: learner.weights())

        let template = try FileSystem.readAll(body)
        let now = WallClock.milliseconds()
        let names = [
            "decode the body", "score every item (log-odds)", "pick the best k (and their probabilities)", "the answer",
        ]
        var timer = StageTimer(stages: names, requests: requests)
        var bytes = 0
        var items = 0
        for _ in 0..<rounds {
            var decoded: [RankRequest] = []
            decoded.reserveCapacity(requests)
            try timer.time(names[0]) {
                for _ in 0..<requests { decoded.append(try RankRequest(body: template, now: now)) }
            }
            var scores: [[Double]] = []
            scores.reserveCapacity(requests)
            timer.time(names[1]) {
                for request in decoded {
                    scores.append(
                        model.margins(
                            user: request.user,
                            timestamp: request.timestamp,
                            context: request.context,
                            items: request.items,
                            itemContexts: request.itemContexts,
                            catalog: catalog
                        )
                    )
                }
            }
            var ranked: [[(entry: Int, probability: Double)]] = []
            ranked.reserveCapacity(requests)
            timer.time(names[2]) {
                for (request, probabilities) in zip(decoded, scores) {
                    ranked.append(
                        CTRRoutes.order(probabilities, limit: request.k).map {
                            ($0.entry, FTRLProximal.sigmoid($0.score))
                        }
                    )
                }
            }
            timer.time(names[3]) {
                for (request, picks) in zip(decoded, ranked) {
                    bytes &+= CTRRoutes.answer(request, ranked: picks, version: model.version).count
                }
            }
            items = decoded.first?.items.count ?? 0
        }
        timer.printTable(heading: "stage (\(requests) requests of \(items) items, one thread, median of \(rounds))")
        if bytes == 0 { print("(no output)") }
    }
}
