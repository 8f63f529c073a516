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
        subcommands: [BenchALS.self]
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
            _ = als.fit(matrix, parallel: Trainer.threaded(threads))
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
