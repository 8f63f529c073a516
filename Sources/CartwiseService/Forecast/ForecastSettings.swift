/// What the forecaster needs to know (the `forecast.*` settings).
package struct ForecastSettings: Sendable {
    /// Milliseconds between full refits of every series (event-derived demand changes with every
    /// purchase; uploaded series are also refitted within a second of an upload).
    package var refreshInterval: Int64 = 3_600_000
    package var threads = 2
    /// Whether each series is also refitted without its last periods and scored on them.
    package var backtest = true
    /// Whether intervals are scaled so each frequency's backtests would have been covered.
    package var calibrateIntervals = true
    /// The most periods of history a series is fitted on.
    package var maxHistory = 5_000

    package init() {}
}
