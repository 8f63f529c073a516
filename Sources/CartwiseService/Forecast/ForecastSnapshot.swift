package import CartwiseModels

/// Every series' cached forecast, as the forecaster last published them: a request is a lookup.
package struct ForecastSnapshot: Sendable {
    /// One series' forecast and what is needed to label its periods.
    ///
    /// A class of constants: every `GET /forecast` takes one out of the snapshot, and copying a
    /// struct with a dozen arrays inside cost a tenth of a cached request in retains and releases.
    package final class Entry: Sendable {
        package let forecast: SeriesForecast
        package let frequency: Frequency
        package let seasonLength: Int
        package let indexed: Bool
        /// The period of the last observation; the forecast starts one after.
        package let lastPeriod: Int
        package let observations: Int
        package let fromEvents: Bool
        /// Snapshot version this entry was fitted in (ETags change exactly when it is refitted).
        package let version: Int
        /// Milliseconds since the epoch.
        package let fittedAt: Int64
        /// The interval calibration of the series' frequency when it was published.
        package let calibration: IntervalCalibration
        /// Each forecast period's `t` as JSON (`"2026-01-01"` or `37`), made once at fit time.
        let labels: [[UInt8]]

        package init(
            forecast: SeriesForecast,
            frequency: Frequency,
            seasonLength: Int,
            indexed: Bool,
            lastPeriod: Int,
            observations: Int,
            fromEvents: Bool,
            version: Int,
            fittedAt: Int64,
            calibration: IntervalCalibration = .none,
            labels: [[UInt8]]? = nil
        ) {
            self.forecast = forecast
            self.frequency = frequency
            self.seasonLength = seasonLength
            self.indexed = indexed
            self.lastPeriod = lastPeriod
            self.observations = observations
            self.fromEvents = fromEvents
            self.version = version
            self.fittedAt = fittedAt
            self.calibration = calibration
            self.labels =
                labels
                ?? (0..<forecast.mean.count).map {
                    Self.jsonLabel(lastPeriod + $0 + 1, indexed: indexed, frequency: frequency)
                }
        }

        /// A series' fresh fit, as the trainer and the on-demand thread publish it.
        convenience init(_ input: SeriesStore.Input, _ forecast: SeriesForecast, version: Int, fittedAt: Int64) {
            self.init(
                forecast: forecast,
                frequency: input.frequency,
                seasonLength: input.seasonLength,
                indexed: input.indexed,
                lastPeriod: input.firstPeriod + input.values.count - 1,
                observations: input.values.count,
                fromEvents: input.fromEvents,
                version: version,
                fittedAt: fittedAt
            )
        }

        /// The same fit under another calibration (its labels reused).
        func recalibrated(_ calibration: IntervalCalibration) -> Entry { copy(forecast, calibration) }

        /// The same series with another forecast (a scenario's), labels and calibration kept.
        func replacing(_ other: SeriesForecast) -> Entry { copy(other, calibration) }

        private func copy(_ forecast: SeriesForecast, _ calibration: IntervalCalibration) -> Entry {
            Entry(
                forecast: forecast,
                frequency: frequency,
                seasonLength: seasonLength,
                indexed: indexed,
                lastPeriod: lastPeriod,
                observations: observations,
                fromEvents: fromEvents,
                version: version,
                fittedAt: fittedAt,
                calibration: calibration,
                labels: labels
            )
        }

        /// The JSON token of the `step`-th forecast period.
        package func jsonLabel(step: Int) -> [UInt8] {
            if step < labels.count { return labels[step] }
            return Self.jsonLabel(lastPeriod + step + 1, indexed: indexed, frequency: frequency)
        }

        /// A period's `t`: its index, or its date quoted.
        private static func jsonLabel(_ period: Int, indexed: Bool, frequency: Frequency) -> [UInt8] {
            indexed ? Array(String(period).utf8) : Array("\"\(frequency.format(period))\"".utf8)
        }
    }

    package var version = 0
    package var entries: [String: Entry] = [:]
    /// When the next full refit is planned (milliseconds since the epoch), for `Cache-Control`.
    package var nextRefreshAt: Int64 = 0
    package var lastFitSeconds = 0.0
    package var lastFitSeries = 0
    /// What items with enough history sell a day, for items with too little (from the last
    /// full refit).
    package var pool = DemandPool.vague

    package init() {}

    /// Interval calibrations from the last full refit, per frequency and per frequency and
    /// kind of model (``calibrationGroup(_:)``).
    package var calibrations: [String: IntervalCalibration] = [:]

    /// The group whose backtests calibrate an entry: its frequency and kind of model. Croston
    /// methods and ETS miss in different ways (a constant level against a seasonal one), so each
    /// is calibrated on its own kind when that kind has enough evidence, else on the frequency.
    static func calibrationGroup(_ entry: Entry) -> (group: String, frequency: String) {
        let kind: String
        switch entry.forecast.fitted {
        case .ets, .blend: kind = "ets"
        case .arima: kind = "arima"
        case .regression: kind = "regression"
        case .intermittent: kind = "intermittent"
        case .seasonalNaive, .shortHistory: kind = "other"
        }
        return (entry.frequency.rawValue + "/" + kind, entry.frequency.rawValue)
    }

    /// Hands the current calibrations to entries fitted since (an incremental refit keeps the
    /// others' answers, and their ETags, unchanged).
    package mutating func applyCalibration(to ids: some Sequence<String>) {
        for id in ids {
            guard let entry = entries[id] else { continue }
            let (group, frequency) = Self.calibrationGroup(entry)
            let own = calibrations[group]
            let usable = entry.forecast.counts ? own?.isUsableForCounts == true : own?.isUsable == true
            entries[id] = entry.recalibrated((usable ? own : calibrations[frequency]) ?? .none)
        }
    }

    /// Recomputes the interval calibrations from the entries' backtests and hands them to each
    /// entry (after a full refit, when every entry is new anyway).
    package mutating func calibrate(enabled: Bool) {
        var pooled: [String: (errors: [Double], counts: [(below: Double, atOrBelow: Double)], series: Int)] = [:]
        if enabled {
            for entry in entries.values {
                guard let backtest = entry.forecast.backtest else { continue }
                guard !backtest.standardizedErrors.isEmpty || !backtest.countPositions.isEmpty else { continue }
                let (group, frequency) = Self.calibrationGroup(entry)
                for key in [group, frequency] {
                    pooled[key, default: ([], [], 0)].errors += backtest.standardizedErrors
                    pooled[key, default: ([], [], 0)].counts += backtest.countPositions
                    pooled[key, default: ([], [], 0)].series += 1
                }
            }
        }
        calibrations = [:]
        for (key, group) in pooled {
            calibrations[key] = IntervalCalibration(errors: group.errors, counts: group.counts, series: group.series)
        }
        applyCalibration(to: Array(entries.keys))
    }

    /// The card `GET /models` shows for it: the series it covers and their median backtest MASE.
    func card(trainedAt: Int64) -> ModelCard {
        var mases: [Double] = []
        var uploaded = 0
        for entry in entries.values {
            if !entry.fromEvents { uploaded += 1 }
            if let mase = entry.forecast.backtest?.mase, mase.isFinite { mases.append(mase) }
        }
        mases.sort()
        let median = mases.isEmpty ? nil : mases[mases.count / 2]
        return ModelCard(
            family: "forecast",
            version: UInt64(max(0, version)),
            trainedAt: trainedAt,
            trainingSeconds: lastFitSeconds,
            data: [.init("series", Double(entries.count)), .init("uploaded_series", Double(uploaded))],
            quality: [.init("median_backtest_mase", median), .init("series_backtested", Double(mases.count))],
            method: "each series refitted without its last periods and scored on them (MASE)"
        )
    }
}
