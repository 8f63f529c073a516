import ArgumentParser
import CartwiseModels
import CartwiseService
import HTTPCore

/// `cartwise bench forecast`: fits every series of a forecast data set in-process (no server),
/// times it on N threads and writes the forecasts in the evaluation kit's CSV layout.
struct BenchForecast: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Time fitting every series of a series_id,timestamp,value CSV; write the forecasts as CSV."
    )

    @Argument(help: "History CSV (series_id,timestamp,value).")
    var file: String
    @Option(help: "Season length.")
    var seasonLength = 1
    @Option(help: "Forecast horizon.")
    var horizon = 18
    @Option var threads = 2
    @Option(help: "Only the series listed in this file (one id per line).")
    var ids: String?
    @Option(help: "Nelder-Mead restarts.")
    var restarts = 0
    @Option(help: "Scale of the AICc differences in the Akaike weights (0: equal weights).")
    var weightScale = 0.5
    @Flag(help: "Leave out undamped trends.")
    var dampedTrendOnly = false
    @Flag(help: "Bound beta and gamma as R does, not with statsforecast's carried caps.")
    var rBounds = false
    @Flag(help: "Fit every ETS candidate to the first series and print each.")
    var explain = false
    @Option(help: "Model families for smooth series: blend, ets or arima.")
    var models = "blend"
    @Option(help: "Write series_id,timestamp,yhat,lo80,hi80,lo95,hi95 here.")
    var output: String?

    func run() throws {
        var series: [String: [(Int, Double)]] = [:]
        var order: [String] = []
        var header = true
        try LineReader(path: file).forEachLine { _, bytes, _ in
            if header {
                header = false
                return true
            }
            let fields = CSVRow.fields(bytes)
            guard let id = fields.text(0), let t = fields.number(1), let value = fields.number(2) else { return true }
            if series[id] == nil { order.append(id) }
            series[id, default: []].append((Int(t), value))
            return true
        }
        if let ids {
            var keep: [String] = []
            try LineReader(path: ids).forEachLine { _, bytes, _ in
                if let id = CSVRow.fields(bytes).text(0), series[id] != nil { keep.append(id) }
                return true
            }
            order = keep
        }
        let histories = order.map { id in series[id]!.sorted { $0.0 < $1.0 } }
        if explain {
            let y = histories[0].map(\.1)
            print("series \(order[0]): \(y.count) values")
            let caps =
                rBounds ? [:] : ETSInitialization.carriedCaps(period: seasonLength, positive: true, count: y.count)
            for spec in ETSSpecification.candidates(period: seasonLength, positive: true, count: y.count) {
                let start = MonotonicClock.nanoseconds()
                let model = ETSModel.fit(y, spec: spec, caps: caps[spec] ?? .box)
                let ms = Double(MonotonicClock.nanoseconds() - start) / 1e6
                print(
                    spec,
                    model.map { "aicc \($0.aicc) sigma2 \($0.sigma2) \($0.parameters)" } ?? "no fit",
                    "\(ms) ms"
                )
            }
            return
        }
        let season = seasonLength
        var options = DemandForecaster.Options()
        options.restarts = restarts
        guard let families = DemandForecaster.Families(rawValue: models) else {
            throw ValidationError("--models must be blend, ets or arima")
        }
        options.families = families
        options.weightScale = weightScale
        options.dampedTrendOnly = dampedTrendOnly
        options.carriedCaps = !rBounds
        let chosen = options
        let h = horizon
        let start = MonotonicClock.nanoseconds()
        let forecasts = ParallelMap.run(count: histories.count, threads: threads, name: "bench") { index in
            DemandForecaster.forecast(
                histories[index].map(\.1),
                period: season,
                horizon: h,
                seed: UInt64(index + 1),
                options: chosen
            )
        }
        let seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        var models: [String: Int] = [:]
        for forecast in forecasts { models[forecast.model, default: 0] += 1 }
        print(
            "cartwise forecast: \(histories.count) series, horizon \(h), season \(season), \(threads) threads: "
                + "fit+forecast \(String(format: seconds)) s"
        )
        print("models:", models.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        guard let output else { return }
        var text = "series_id,timestamp,yhat,lo80,hi80,lo95,hi95\n"
        for (index, id) in order.enumerated() {
            let forecast = forecasts[index]
            let last = histories[index].last!.0
            for j in 0..<h {
                let lo80 = forecast.quantile(step: j, level: 80, upper: false)
                let hi80 = forecast.quantile(step: j, level: 80, upper: true)
                let lo95 = forecast.quantile(step: j, level: 95, upper: false)
                let hi95 = forecast.quantile(step: j, level: 95, upper: true)
                text += "\(id),\(last + j + 1),\(forecast.mean[j]),\(lo80),\(hi80),\(lo95),\(hi95)\n"
            }
        }
        try FileSystem.writeNew(output, Array(text.utf8))
    }
}
