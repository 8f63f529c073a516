import ArgumentParser
import CartwiseService
import HTTPCore
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `cartwise bench score-order`: the CPU cost of each stage of one `POST /score-order` on the
/// loop thread (decode, score, answer, audit entry), in-process and without the network or the
/// disk, so a change to one stage can be measured apart from the scheduler's noise.
struct BenchScoreOrder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score-order",
        abstract: "Time each stage of POST /score-order in-process on a labelled orders CSV and an order body."
    )

    @Argument(help: "Labelled orders CSV to train on (as `import orders` reads it).")
    var file: String
    @Argument(help: "A /score-order JSON body; ORDER_ID in it is replaced by a new id per request.")
    var body: String
    @Option(help: "Requests per stage and round.")
    var requests = 20_000
    @Option(help: "Rounds; each stage's median is reported.")
    var rounds = 5

    func run() throws {
        let risk = try OrderRisk(
            settings: RiskSettings(),
            personal: PersonalData(salt: PersonalData.newSalt()),
            logger: Logger(label: "bench")
        )
        try OrderImporter(
            path: file,
            now: WallClock.milliseconds(),
            personal: PersonalData(salt: PersonalData.newSalt())
        ).run(history: OrderHistory()) { batch, _ in
            for record in batch { risk.restore(record) }
        }
        try risk.start()
        defer { risk.stop() }
        risk.retrainSoon()
        while risk.model == nil { usleep(50_000) }

        let template = try FileSystem.readAll(body)
        guard let marker = template.firstRange(of: Array("ORDER_ID".utf8)) else {
            throw ValidationError("the body has no ORDER_ID to replace")
        }
        let bodies = (0..<requests).map { index in
            Array(template[..<marker.lowerBound]) + Array("bench-\(index)".utf8)
                + Array(template[marker.upperBound...])
        }
        let now = WallClock.milliseconds()
        let names = ["decode the body", "features, trees and reasons", "the answer", "the audit entry", "accept"]
        var timer = StageTimer(stages: names, requests: requests)
        var bytes = 0
        // Accepting runs under the dataset lock on the audit writer's thread, before answers go
        // out: its worst case is a pause every pending answer shares.
        var slowestAccept: UInt64 = 0
        for round in 0..<rounds {
            var orders: [Order] = []
            orders.reserveCapacity(requests)
            try timer.time(names[0]) {
                for body in bodies { orders.append(try OrderDecoder.decode(body, now: now)) }
            }
            for index in orders.indices { orders[index].id += "-\(round)" }
            var decided: [AuditEntry.Decided] = []
            decided.reserveCapacity(requests)
            timer.time(names[1]) {
                for order in orders { decided.append(risk.score(order, catalog: { _ in nil }, now: now)) }
            }
            timer.time(names[2]) {
                for entry in decided { bytes &+= RiskRoutes.answer(entry).count }
            }
            timer.time(names[3]) {
                for entry in decided { bytes &+= AuditEntry.encode(entry).count }
            }
            timer.time(names[4]) {
                for entry in decided {
                    let started = MonotonicClock.nanoseconds()
                    risk.accept(entry.record, score: entry.score)
                    slowestAccept = max(slowestAccept, MonotonicClock.nanoseconds() - started)
                }
            }
        }
        timer.printTable(heading: "stage (\(requests) requests, one thread, median of \(rounds))")
        print("")
        print(
            "slowest single accept: \(String(format: Double(slowestAccept) / 1000)) µs (\(risk.counts.orders) orders held)"
        )
        if bytes == 0 { print("(no output)") }
    }
}
