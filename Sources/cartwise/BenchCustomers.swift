import ArgumentParser
import CartwiseModels
import CartwiseService
import HTTPCore

/// `cartwise bench customers FILE`: builds the customer model in-process from a transaction log
/// (as `cartwise import orders` would feed it), times the BG/NBD, MBG/NBD and Gamma-Gamma fits,
/// and writes every customer's answer, for comparison with `lifetimes` and with the answers the
/// server gives over HTTP (scripts/eval-segment.py).
struct BenchCustomers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers",
        abstract:
            "Fit the customer model on a customer_id,order_date,amount CSV; time the fits; write each customer's answer."
    )

    @Argument(help: "Transactions CSV with customer_id, order_date (YYYY-MM-DD or RFC 3339) and amount columns.")
    var file: String
    @Option(help: "Only transactions on or before this date (a calibration period).")
    var calibrationEnd: String?
    @Option(help: "Horizon of expected_purchases, expected_spend and clv, in days.")
    var horizonDays = 365
    @Option(help: "Monthly discount rate of clv.")
    var discountRate = 0.01
    @Option(help: "Segments (0: chosen by silhouette).")
    var segments = 0
    @Option(help: "Repetitions of the timed fits; the median is reported.")
    var repeats = 3
    @Option(
        help:
            "Write customer,segment,recency_days,frequency,monetary,p_alive,expected_purchases,expected_spend,clv here."
    )
    var output: String?

    func run() throws {
        let end = try calibrationEnd.map { text -> Int64 in
            guard let parsed = Timestamp.parse(text) else { throw ValidationError("--calibration-end: not a date") }
            return parsed
        }
        var records: [OrderRecord] = []
        var columns: (customer: Int, date: Int, amount: Int)?
        try LineReader(path: file).forEachLine { line, bytes, _ in
            let fields = CSVRow.fields(bytes)
            guard let found = columns else {
                let names = CSVRow.split(bytes).map { $0.lowercased() }
                guard let customer = names.firstIndex(of: "customer_id"), let date = names.firstIndex(of: "order_date"),
                    let amount = names.firstIndex(of: "amount")
                else { throw ValidationError("\(file): needs customer_id, order_date and amount columns") }
                columns = (customer, date, amount)
                return true
            }
            guard let customer = fields.text(found.customer),
                let date = fields.text(found.date).flatMap(Timestamp.parse),
                let amount = fields.number(found.amount)
            else { throw ValidationError("\(file) line \(line): a field is missing or malformed") }
            if let end, date > end { return true }
            records.append(
                OrderRecord(
                    id: String(line),
                    createdAt: date,
                    amount: amount,
                    keys: OrderHistory.Keys(user: customer, emailHash: nil, ipHash: nil, card: nil),
                    derived: [],
                    signals: [],
                    fraud: nil
                )
            )
            return true
        }
        let ledger = CustomerLedger()
        ledger.apply(orders: records)
        var settings = CustomerSettings()
        settings.horizonDays = horizonDays
        settings.monthlyDiscount = discountRate
        settings.segments = segments
        let started = MonotonicClock.nanoseconds()
        guard
            let (model, report) = CustomerModelBuilder(settings: settings).build(
                ledger.contents,
                catalog: { _ in nil },
                clock: MonotonicClock.nanoseconds
            )
        else { throw ValidationError("the build was cancelled") }
        let buildSeconds = Double(MonotonicClock.nanoseconds() - started) / 1e9

        // The fits alone, each on the same summaries the build used.
        var summaries: [RepeatPurchases] = []
        var spends: [GammaGammaSpend.Spend] = []
        for i in model.ids.indices {
            guard let (summary, spend) = model.summary(i, asOf: model.asOf) else { continue }
            summaries.append(summary)
            spends.append(spend)
        }
        func timed<T>(_ body: () -> T) -> (T, Double) {
            var result: T?
            var times: [Double] = []
            for _ in 0..<max(1, repeats) {
                let start = MonotonicClock.nanoseconds()
                result = body()
                times.append(Double(MonotonicClock.nanoseconds() - start) / 1e9)
            }
            return (result!, times.sorted()[times.count / 2])
        }
        let (bgnbd, bgnbdSeconds) = timed { BetaGeometricNBD.fit(WeightedSummaries(summaries)) }
        let (mbgnbd, mbgnbdSeconds) = timed { BetaGeometricNBD.fit(WeightedSummaries(summaries), modified: true) }
        let (gammaGamma, gammaGammaSeconds) = timed { GammaGammaSpend.fit(WeightedSummaries(spends)) }
        let (pareto, paretoSeconds) = timed { ParetoNBD.fit(WeightedSummaries(summaries)) }

        if let output {
            var out = CustomerEncoding.csvHeader
            for i in model.ids.indices { CustomerEncoding.csvRow(model, i, to: &out) }
            if FileSystem.exists(output) { try FileSystem.remove(output) }
            try FileSystem.writeNew(output, out)
        }
        func number(_ value: Double?) -> String { value.map { String($0) } ?? "null" }
        let values = model.value.filter { !$0.isNaN }
        print(
            """
            {"customers": \(model.ids.count), "purchasers": \(report.purchasers), "repeat_buyers": \(report.repeatBuyers),
             "as_of": "\(CustomerQuery.date(model.asOf))", "build_seconds": \(buildSeconds),
             "bgnbd": {"r": \(number(bgnbd?.r)), "alpha": \(number(bgnbd?.alpha)), "a": \(number(bgnbd?.a)), "b": \(number(bgnbd?.b)), "fit_seconds": \(bgnbdSeconds)},
             "mbgnbd": {"r": \(number(mbgnbd?.r)), "alpha": \(number(mbgnbd?.alpha)), "a": \(number(mbgnbd?.a)), "b": \(number(mbgnbd?.b)), "fit_seconds": \(mbgnbdSeconds)},
             "pareto_nbd": {"r": \(number(pareto?.r)), "alpha": \(number(pareto?.alpha)), "s": \(number(pareto?.s)), "beta": \(number(pareto?.beta)), "fit_seconds": \(paretoSeconds)},
             "gamma_gamma": {"p": \(number(gammaGamma?.p)), "q": \(number(gammaGamma?.q)), "v": \(number(gammaGamma?.v)), "fit_seconds": \(gammaGammaSeconds)},
             "served_model": "\(model.purchases?.name ?? "none")", "selection": "\(model.selection)",
             "clv_mean": \(values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)),
             "segments": [\(model.segments.map { "\"\($0.id)\"" }.joined(separator: ", "))], "silhouette": \(number(report.silhouette))}
            """
        )
    }
}

/// `cartwise bench kmeans FILE`: k-means alone on a feature table (the evaluation kit's
/// `--write-features` output: z_recency, z_frequency, z_monetary), for each k in a range.
struct BenchKMeans: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmeans",
        abstract: "Time k-means (k-means++, 10 restarts, seed 0) on the z_* columns of a feature CSV; write the labels."
    )

    @Argument(help: "CSV with customer_id and z_recency, z_frequency, z_monetary columns.")
    var file: String
    @Option var kMin = 4
    @Option var kMax = 8
    @Option var restarts = 10
    @Option var seed: UInt64 = 0
    @Option(help: "Threads the restarts run on.")
    var threads = 1
    @Option(help: "Repetitions; the median time is reported.")
    var repeats = 3
    @Option(help: "Write customer_id,k4,...,k8 labels here.")
    var output: String?

    func run() throws {
        var ids: [String] = []
        var points: [Double] = []
        var columns: [Int]?
        try LineReader(path: file).forEachLine { line, bytes, _ in
            let fields = CSVRow.fields(bytes)
            guard let found = columns else {
                let names = CSVRow.split(bytes)
                let wanted = ["customer_id", "z_recency", "z_frequency", "z_monetary"].map { names.firstIndex(of: $0) }
                guard wanted.allSatisfy({ $0 != nil }) else {
                    throw ValidationError("\(file): needs customer_id, z_recency, z_frequency, z_monetary")
                }
                columns = wanted.map { $0! }
                return true
            }
            guard let id = fields.text(found[0]) else { throw ValidationError("line \(line): no customer_id") }
            ids.append(id)
            for column in found.dropFirst() {
                guard let value = fields.number(column) else { throw ValidationError("line \(line): not a number") }
                points.append(value)
            }
            return true
        }
        var labels: [[Int32]] = []
        print(
            "| k | inertia | iterations | fit s (median of \(repeats), \(threads) thread\(threads == 1 ? "" : "s")) |"
        )
        print("| ---: | ---: | ---: | ---: |")
        for k in kMin...kMax {
            var times: [Double] = []
            var fit: KMeans?
            for _ in 0..<max(1, repeats) {
                let start = MonotonicClock.nanoseconds()
                fit = KMeans.fit(
                    points: points,
                    dimensions: 3,
                    k: k,
                    restarts: restarts,
                    seed: seed,
                    parallel: { [threads] count, job in ParallelMap.run(count: count, threads: threads, job) }
                )
                times.append(Double(MonotonicClock.nanoseconds() - start) / 1e9)
            }
            labels.append(fit!.labels)
            print("| \(k) | \(fit!.inertia) | \(fit!.iterations) | \(times.sorted()[times.count / 2]) |")
        }
        if let output {
            var out = "customer_id," + (kMin...kMax).map { "k\($0)" }.joined(separator: ",") + "\n"
            for (row, id) in ids.enumerated() {
                out += id + "," + labels.map { String($0[row]) }.joined(separator: ",") + "\n"
            }
            if FileSystem.exists(output) { try FileSystem.remove(output) }
            try FileSystem.writeNew(output, Array(out.utf8))
        }
    }
}
