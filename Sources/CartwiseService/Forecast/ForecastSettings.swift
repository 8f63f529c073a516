package import CartwiseModels

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
    /// The model families for series that are neither short nor intermittent.
    package var families: DemandForecaster.Families = .blend
    /// Seconds a replenishment plan's solver may take.
    package var planSeconds = 20.0
    /// A replenishment MIP stops once proved within this fraction of the least possible expected cost (the LP bound of case-pack plans under a binding budget is weak: CBC finds the best plan quickly and then struggles to prove it).
    package var planRelativeGap = 1e-3

    package init() {}
}
