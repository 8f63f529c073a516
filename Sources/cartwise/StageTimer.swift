import HTTPCore

/// Times the stages of a request, each over a batch of requests per round, and prints each
/// stage's median cost per request: the table `bench rank` and `bench score-order` report.
struct StageTimer {
    let stages: [String]
    let requests: Int
    private var samples: [String: [UInt64]] = [:]

    init(stages: [String], requests: Int) {
        self.stages = stages
        self.requests = requests
    }

    /// Runs `body` (one stage over `requests` requests) and records how long it took.
    mutating func time(_ stage: String, _ body: () throws -> Void) rethrows {
        let started = MonotonicClock.nanoseconds()
        try body()
        samples[stage, default: []].append(MonotonicClock.nanoseconds() - started)
    }

    /// A markdown table: each stage's median over the rounds in µs per request, and their sum.
    func printTable(heading: String) {
        print("| \(heading) | µs per request |")
        print("|---|---:|")
        var total = 0.0
        for stage in stages {
            let times = (samples[stage] ?? [0]).sorted()
            let median = Double(times[times.count / 2]) / Double(requests) / 1000
            total += median
            print("| \(stage) | \(String(format: median)) |")
        }
        print("| **total** | **\(String(format: total))** |")
    }
}
