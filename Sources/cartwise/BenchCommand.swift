import ArgumentParser
import CartwiseModels
import CartwiseService
import HTTPCore

/// `cartwise bench als FILE`: times ALS training alone (no server, no I/O in the timed part), for
/// comparison with other libraries on the same machine (benchmarks/als.sh).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Micro-benchmarks of the models.",
        subcommands: [
            BenchALS.self, BenchCTR.self, BenchRank.self, BenchRisk.self, BenchScoreOrder.self, BenchForecast.self,
            BenchCustomers.self, BenchKMeans.self,
        ]
    )
}

struct BenchALS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "als",
        abstract: "Time ALS training on a CSV of user_id,item_id,weight (confidence 1 + alpha x weight)."
    )

    @Argument(help: "CSV with a user_id,item_id,weight header.")
    var file: String

    @Option var factors = 64
    @Option var iterations = 15
    @Option var regularization: Float = 0.05
    @Option var alpha: Float = 40
    @Option var threads = 2
    @Option(help: "Repetitions; the median is reported.")
    var repeats = 3

    func run() throws {
        var users: [String: Int32] = [:]
        var items: [String: Int32] = [:]
        var triples: [(row: Int32, column: Int32, value: Float)] = []
        var header = true
        try LineReader(path: file).forEachLine { _, bytes, _ in
            if header {
                header = false
                return true
            }
            let fields = CSVRow.fields(bytes)
            guard let user = fields.text(0), let item = fields.text(1), let weight = fields.number(2) else {
                return true
            }
            let row = users[user] ?? Int32(users.count)
            users[user] = row
            let column = items[item] ?? Int32(items.count)
            items[item] = column
            triples.append((row, column, Float(weight)))
            return true
        }
        let matrix = CSRMatrix(rows: users.count, columns: items.count, triples: triples)
        let als = ImplicitALS(factors: factors, regularization: regularization, alpha: alpha, iterations: iterations)
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = MonotonicClock.nanoseconds()
            _ = als.fit(matrix, parallel: RecommendTrainer.threaded(threads))
            times.append(Double(MonotonicClock.nanoseconds() - start) / 1e9)
        }
        let median = times.sorted()[times.count / 2]
        print(
            "cartwise ALS: \(users.count) users x \(items.count) items, \(matrix.nonZeros) interactions, factors \(factors), "
                + "\(threads) threads: fit \(String(format: median)) s (median of \(repeats)), "
                + "\(String(format: median / Double(iterations))) s/iteration"
        )
    }
}

/// `cartwise bench ctr FILE`: times the click model's learning alone (hashing and FTRL updates on
/// one thread; reading the CSV is not timed), and reports its progressive-validation log loss.
struct BenchCTR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctr",
        abstract: "Time one online FTRL pass over a labelled CTR CSV (as `import ctr` reads it)."
    )

    @Argument(help: "CSV with a label column and feature columns.")
    var file: String

    @Option(help: "Comma-separated columns to read as numbers.")
    var numeric = ""
    @Option var bits = 22
    @Option(help: "Comma-separated field*field crosses.")
    var crosses = ""
    @Option var alpha = 0.05
    @Option var beta = 1.0
    @Option var l1 = 1.0
    @Option var l2 = 1.0
    @Option(help: "Repetitions; the median time is reported.")
    var repeats = 3
    @Option(
        help: ArgumentHelp(
            "Try every pair of these comma-separated fields as an extra cross and list the best by progressive log loss.",
            discussion: "Feature selection on the training file only: each example is scored before it is learned."
        )
    )
    var searchCrosses = ""
    @Option(help: "With --search-crosses: examples per trial (the first ones of the file).")
    var searchRows = 100_000

    func run() throws {
        var events: [Event] = []
        try CTRImporter(
            path: file,
            numericColumns: Set(numeric.split(separator: ",").map(String.init)),
            now: WallClock.milliseconds()
        ).run { batch, _ in events += batch }
        guard let pairs = Setting.crossList(crosses) else { throw ValidationError("--crosses must be field*field,...") }
        let features = CTRFeatures(
            hasher: FeatureHasher(bits: bits),
            crosses: pairs.map { CTRFeatures.Cross($0.0, $0.1) }
        )
        let parameters = FTRLProximal.Parameters(alpha: alpha, beta: beta, l1: l1, l2: l2)
        let base = pairs.map { CTRFeatures.Cross($0.0, $0.1) }
        if !searchCrosses.isEmpty {
            let fields = searchCrosses.split(separator: ",").map(String.init)
            let sample = Array(events.prefix(searchRows))
            func loss(_ crosses: [CTRFeatures.Cross]) -> Double {
                Self.pass(sample, CTRFeatures(hasher: FeatureHasher(bits: bits), crosses: crosses), parameters).report
                    .logLoss
            }
            let reference = loss(base)
            var gains: [(cross: CTRFeatures.Cross, gain: Double)] = []
            for (position, first) in fields.enumerated() {
                for second in fields[(position + 1)...] {
                    let cross = CTRFeatures.Cross(first, second)
                    gains.append((cross, reference - loss(base + [cross])))
                }
            }
            gains.sort { $0.gain > $1.gain }
            print("progressive log loss with [\(crosses)] on \(sample.count) examples: \(reference)")
            for (cross, gain) in gains.prefix(20) { print("  +\(cross.description): \(gain)") }
            return
        }
        var times: [Double] = []
        var report = CalibrationReport()
        for _ in 0..<repeats {
            let start = MonotonicClock.nanoseconds()
            report = Self.pass(events, features, parameters).report
            times.append(Double(MonotonicClock.nanoseconds() - start) / 1e9)
        }
        let median = times.sorted()[times.count / 2]
        print(
            "cartwise FTRL: \(events.count) examples, 2^\(bits) weights, crosses [\(crosses)], alpha \(alpha) beta \(beta) "
                + "l1 \(l1) l2 \(l2): \(String(format: median)) s (median of \(repeats)), "
                + "\(Int(Double(events.count) / median)) examples/s, progressive log loss "
                + String(report.logLoss)
        )
    }

    /// One online pass: hashing and FTRL updates, each example scored before it is learned.
    /// `catalog` gives an impression's item categories (none by default).
    static func pass(
        _ events: [Event],
        _ features: CTRFeatures,
        _ parameters: FTRLProximal.Parameters,
        catalog: CTRCatalog = CTRCatalog()
    ) -> (model: FTRLProximal, report: CalibrationReport) {
        var model = FTRLProximal(size: features.hasher.size, parameters: parameters)
        var report = CalibrationReport()
        var tokens = CTRFeatures.Tokens(capacity: 64)
        let none = CTRFeatures.Tokens()
        var coordinates: [UInt32] = []
        events.withUnsafeBufferPointer { events in
            for index in events.indices {
                CTRFeatureBuilder.impression(
                    events[index],
                    categories: catalog[events[index].item]?.categories ?? [],
                    into: &tokens
                )
                features.coordinates(shared: tokens, own: none, into: &coordinates)
                let clicked = events[index].clicked ?? false
                report.record(predicted: model.update(coordinates, clicked: clicked), clicked: clicked)
            }
        }
        return (model, report)
    }
}

/// `cartwise bench risk FILE`: times the risk trees' training alone (one thread), on a labelled
/// orders CSV as `import orders` reads it (reading and binning the CSV is not timed; binning is).
struct BenchRisk: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Time gradient-boosted-tree training on a labelled orders CSV (as `import orders` reads it)."
    )

    @Argument(help: "CSV in the layout of creditcard.csv (id,label,Amount and signal columns).")
    var file: String

    @Option var iterations = 100
    @Option var learningRate = 0.1
    @Option var maxLeafNodes = 31
    @Option var minSamplesLeaf = 20
    @Option var l2 = 1.0
    @Option(help: "Repetitions; the median is reported.")
    var repeats = 3
    @Flag(help: "Print the first tree's first nodes (to compare with another implementation).")
    var dumpFirstTree = false

    func run() throws {
        var dataset = RiskDataset()
        try OrderImporter(
            path: file,
            now: WallClock.milliseconds(),
            personal: PersonalData(salt: PersonalData.newSalt())
        ).run(history: OrderHistory()) { batch, _ in
            for record in batch { dataset.add(record) }
        }
        let (_, columns, labels) = dataset.trainingSet()
        let parameters = GradientBoostedTrees.Parameters(
            learningRate: learningRate,
            iterations: iterations,
            maxLeafNodes: maxLeafNodes,
            minSamplesLeaf: minSamplesLeaf,
            l2: l2
        )
        var times: [Double] = []
        var model: GradientBoostedTrees?
        for _ in 0..<repeats {
            let start = MonotonicClock.nanoseconds()
            model = GradientBoostedTrees.train(columns: columns, labels: labels, parameters: parameters)
            times.append(Double(MonotonicClock.nanoseconds() - start) / 1e9)
        }
        if dumpFirstTree, let tree = model?.trees.first {
            let names = dataset.names
            for (index, node) in tree.nodes.prefix(12).enumerated() {
                let feature = node.isLeaf ? "leaf" : names[Int(node.feature)]
                print(
                    index,
                    feature,
                    node.threshold,
                    node.count,
                    node.value,
                    node.left,
                    node.right,
                    node.missingGoesLeft
                )
            }
        }
        let median = times.sorted()[times.count / 2]
        let leaves = model!.trees.reduce(0) { $0 + $1.nodes.filter(\.isLeaf).count }
        print(
            "cartwise GBDT: \(labels.count) orders, \(columns.count) features, \(model!.trees.count) trees, "
                + "\(leaves) leaves: fit \(String(format: median)) s (median of \(repeats), one thread)"
        )
    }
}
