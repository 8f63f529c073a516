extension ForecastSettings {
    package static let refreshIntervalS = Setting(
        key: "forecast.refresh_interval_s",
        kind: .number(1...604_800),
        defaultValue: .number(3_600),
        description:
            "Refit every series (purchase-derived demand included) this often; uploaded series and newly purchased items are also fitted within seconds, and at once when a request asks for them. GET /forecast's Cache-Control max-age runs to the next refit."
    )

    package static let threads = Setting(
        key: "forecast.threads",
        kind: .integer(1...64),
        defaultValue: .integer(2),
        description: "Threads the forecast trainer fits series on."
    )

    package static let backtest = Setting(
        key: "forecast.backtest",
        kind: .boolean,
        defaultValue: .boolean(true),
        description:
            "Also refit each series without its last periods and report MASE and sMAPE on them (the answer's backtest)."
    )

    package static let calibrateIntervals = Setting(
        key: "forecast.calibrate_intervals",
        kind: .boolean,
        defaultValue: .boolean(true),
        description:
            "Scale each frequency's interval widths by what its series' backtests needed to be covered (split-conformal; needs 30 series with backtests, else the model's own intervals)."
    )

    package static let maxHistory = Setting(
        key: "forecast.max_history",
        kind: .integer(10...1_000_000),
        defaultValue: .integer(5_000),
        description: "The most recent periods of a series the models are fitted on."
    )

    package static let models = Setting(
        key: "forecast.models",
        kind: .text(choices: ["blend", "ets", "arima"]),
        defaultValue: .text("blend"),
        description:
            "Models for series that are neither short nor intermittent: blend (the mean of the AutoETS combination and AutoARIMA), ets or arima alone."
    )

    package static let planSeconds = Setting(
        key: "forecast.plan_seconds",
        kind: .number(0.1...3_600),
        defaultValue: .number(20),
        description:
            "Time limit of a replenishment plan's solver (POST /plans/replenishment); the best plan found by then is answered, marked time_limit."
    )

    package static let planRelativeGap = Setting(
        key: "forecast.plan_relative_gap",
        kind: .number(0...0.5),
        defaultValue: .number(1e-3),
        description:
            "A replenishment plan is proved within this fraction of the least expected cost possible (the answer's gap says how close it got)."
    )

    /// Forecasting's settings (`forecast.*`), in the order `cartwise config` lists them.
    package static let catalog: [Setting] = [
        refreshIntervalS, threads, backtest, calibrateIntervals, maxHistory, models, planSeconds, planRelativeGap,
    ]
}
