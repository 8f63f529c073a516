package import CartwiseModels

/// Every series' cached forecast, as the forecaster last published them: a request is a lookup.
package struct ForecastSnapshot: Sendable {
    /// One series' forecast and what is needed to label its periods.
    package struct Entry: Sendable {
        package var forecast: SeriesForecast
        package var frequency: Frequency
        package var seasonLength: Int
        package var indexed: Bool
        /// The period of the last observation; the forecast starts one after.
        package var lastPeriod: Int
        package var observations: Int
        package var fromEvents: Bool
        /// Snapshot version this entry was fitted in (ETags change exactly when it is refitted).
        package var version: Int
        /// Milliseconds since the epoch.
        package var fittedAt: Int64
        /// The interval calibration of the series' frequency when it was published.
        package var calibration = IntervalCalibration(errors: [], series: 0)
        /// Each forecast period's `t` as JSON (`"2026-01-01"` or `37`), made once at fit time.
        package var labels: [[UInt8]] = []

        /// The JSON token of the `step`-th forecast period.
        package func jsonLabel(step: Int) -> [UInt8] {
            if step < labels.count { return labels[step] }
            return indexed ? Array(label(step: step).utf8) : Array("\"\(label(step: step))\"".utf8)
        }

        /// The label of the `step`-th forecast period (0 = the next): a date, or a period index.
        package func label(step: Int) -> String {
            let period = lastPeriod + step + 1
            return indexed ? String(period) : frequency.format(period)
        }
    }

    package var version = 0
    package var entries: [String: Entry] = [:]
    /// When the next full refit is planned (milliseconds since the epoch), for `Cache-Control`.
    package var nextRefreshAt: Int64 = 0
    package var lastFitSeconds = 0.0
    package var lastFitSeries = 0

    package init() {}

    /// Each frequency's interval calibration, from the last full refit.
    package var calibrations: [Frequency: IntervalCalibration] = [:]

    /// Hands the current calibrations to entries fitted since (an incremental refit keeps the
    /// others' answers, and their ETags, unchanged).
    package mutating func applyCalibration(to ids: some Sequence<String>) {
        let none = IntervalCalibration(errors: [], series: 0)
        for id in ids where entries[id] != nil {
            entries[id]!.calibration = calibrations[entries[id]!.frequency] ?? none
        }
    }

    /// Recomputes every frequency's interval calibration from the entries' backtests and hands
    /// it to each entry (after a full refit, when every entry is new anyway).
    package mutating func calibrate(enabled: Bool) {
        var pooled: [Frequency: (errors: [Double], series: Int)] = [:]
        if enabled {
            for entry in entries.values {
                guard let errors = entry.forecast.backtest?.standardizedErrors, !errors.isEmpty else { continue }
                pooled[entry.frequency, default: ([], 0)].errors += errors
                pooled[entry.frequency, default: ([], 0)].series += 1
            }
        }
        calibrations = [:]
        for (frequency, group) in pooled {
            calibrations[frequency] = IntervalCalibration(errors: group.errors, series: group.series)
        }
        applyCalibration(to: Array(entries.keys))
    }
}
