import RealModule

/// Chooses and fits a series' model: a pooled or mean model for a history too short for any
/// other, Croston-type methods for intermittent and lumpy demand, AutoETS otherwise, the
/// seasonal naive method when no ETS model fits.
package enum DemandForecaster {
    /// Knobs of the model search (the defaults are the evaluated configuration).
    package struct Options: Sendable {
        /// Nelder-Mead restarts from the optimum found. A tighter optimum did not forecast better
        /// on M3 (yearly got worse), so the default is none, as in R and statsforecast.
        package var restarts = 0
        /// Multiplies the AICc differences in the Akaike weights (0: equal weights, 1: Kolassa's
        /// weights). 0.5 tempers them: on M3 it beat both ends on every frequency.
        package var weightScale = 0.5
        /// Leave out undamped trends (ETS(*,A,*)).
        package var dampedTrendOnly = false
        /// Fit under statsforecast's carried caps on beta and gamma
        /// (``ETSInitialization/carriedCaps(period:positive:count:)``) rather than R's bounds. Chosen on a backtest
        /// of the M3 training data alone (`scripts/backtest-split.py`): monthly sMAPE 14.71 →
        /// 14.27, the other frequencies within 0.01.
        package var carriedCaps = true
        /// Which families fit series that are neither short nor intermittent.
        package var families: Families = .blend

        package init() {}
    }

    /// The model families for smooth and erratic demand and continuous series.
    package enum Families: String, Sendable, CaseIterable {
        /// The AutoETS combination alone.
        case ets
        /// AutoARIMA alone.
        case arima
        /// The mean of both (``ModelBlend``); either alone when the other does not fit.
        case blend
    }

    /// Above this mean per period a series of whole units is treated as continuous: its
    /// normal intervals are within a unit of the negative binomial's.
    package static let countMeanLimit = 100.0

    /// Whether `y` is whole non-negative units with a small enough mean for a count
    /// distribution (``countMeanLimit``).
    package static func isCounts(_ y: [Double]) -> Bool {
        guard !y.isEmpty else { return false }
        var total = 0.0
        for value in y {
            guard value >= 0, value == value.rounded() else { return false }
            total += value
        }
        return total / Double(y.count) <= countMeanLimit
    }

    /// - Parameters:
    ///   - y: the history, oldest first; at least one value.
    ///   - period: the season length (1 for none).
    ///   - horizon: periods to forecast.
    ///   - backtest: periods held out to score the choice (0 for no backtest).
    ///   - seed: seeds the simulations some models need.
    ///   - options: knobs of the model search.
    ///   - pool: what other items sell, for a short history of daily demand (nil: none).
    ///   - covariates: prices and promotions over the history and planned over the horizon;
    ///     a series with any is fitted by regression with ARIMA errors.
    /// - Returns: the forecast.
    package static func forecast(
        _ y: [Double],
        period: Int,
        horizon: Int,
        backtest: Int = 0,
        seed: UInt64 = 1,
        options: Options = Options(),
        pool: DemandPool? = nil,
        covariates: Covariates? = nil
    ) -> SeriesForecast {
        let nonNegative = y.allSatisfy { $0 >= 0 }
        let fitted = fit(y, period: period, options: options, pool: pool, covariates: covariates)
        var counts = isCounts(y)
        if case .regression(let model) = fitted, model.logTarget { counts = false }
        var (mean, variance) = fitted.forecast(horizon: horizon, seed: seed)
        if counts { variance = countVariance(fitted, mean: mean, variance: variance, history: y) }
        var score: Backtest?
        if backtest > 0, y.count >= 2 * backtest + 2 {
            let train = Array(y.prefix(y.count - backtest))
            let refitted: FittedModel
            if case .regression(let model) = fitted, let covariates {
                guard let again = model.refit(train, covariates: covariates.split(at: train.count)) else {
                    return finish(fitted, mean, variance, nonNegative, counts, nil)
                }
                refitted = .regression(again)
            } else if let again = refit(fitted, to: train, options: options) {
                refitted = again
            } else {
                refitted = fit(train, period: period, options: options, pool: pool)
            }
            var refit = refitted.forecast(horizon: backtest, seed: seed)
            if counts {
                refit.variance = countVariance(refitted, mean: refit.mean, variance: refit.variance, history: train)
            }
            let held = finish(refitted, refit.mean, refit.variance, nonNegative, counts, nil)
            score = Accuracy.score(train: train, actual: Array(y.suffix(backtest)), forecast: held, period: period)
        }
        return finish(fitted, mean, variance, nonNegative, counts, score)
    }

    private static func finish(
        _ fitted: FittedModel,
        _ mean: [Double],
        _ variance: [Double],
        _ nonNegative: Bool,
        _ counts: Bool,
        _ backtest: Backtest?
    ) -> SeriesForecast {
        var forecast = SeriesForecast(
            fitted: fitted,
            mean: mean,
            sd: variance.map { max($0, 0).squareRoot() },
            nonNegative: nonNegative,
            counts: counts,
            backtest: backtest
        )
        if case .regression(let model) = fitted, model.logTarget {
            let scale = model.modelScale(horizon: mean.count)
            forecast.logScale = .init(mean: scale.mean, sd: scale.variance.map { max($0, 0).squareRoot() })
        }
        return forecast
    }

    /// Counts spread with their mean: an additive-error model's one variance for every day
    /// of the week is too wide on the quiet days and too narrow on the busy ones. Each period's
    /// variance is scaled by its mean over the history's mean (as a Poisson or negative
    /// binomial's would be).
    static func countVariance(
        _ fitted: FittedModel,
        mean: [Double],
        variance: [Double],
        history: [Double]
    )
        -> [Double]
    {
        switch fitted {
        case .ets, .arima, .blend, .regression: break
        default: return variance
        }
        let level = history.reduce(0, +) / Double(max(history.count, 1))
        guard level > 0 else { return variance }
        return zip(mean, variance).map { m, v in v * max(m, 0) / level }
    }

    /// The model for `y`: a short history's pooled or mean model; for intermittent and lumpy
    /// demand the Croston-family method that forecast the last periods best; AutoETS otherwise.
    package static func fit(
        _ y: [Double],
        period: Int,
        options: Options = Options(),
        pool: DemandPool? = nil,
        covariates: Covariates? = nil
    ) -> FittedModel {
        if ShortHistoryModel.isInsufficient(y, period: period) {
            return .shortHistory(ShortHistoryModel(y, pool: pool))
        }
        // Intermittent demand keeps its Croston-type methods: a regression on mostly zeros says
        // little about a promotion's lift.
        let sporadic = y.allSatisfy { $0 >= 0 } && [.intermittent, .lumpy].contains(DemandPattern.classify(y))
        if let covariates, !covariates.isEmpty, !sporadic,
            let model = RegressionModel.fit(y, period: period, covariates: covariates)
        {
            return .regression(model)
        }
        if y.allSatisfy({ $0 >= 0 }), let pattern = DemandPattern.classify(y) {
            switch pattern {
            case .intermittent, .lumpy:
                let holdout = min(y.count / 4, max(4 * period, 12))
                if let model = IntermittentModel.fitBest(y, holdout: holdout) { return .intermittent(model) }
            case .smooth, .erratic:
                break
            }
        }
        let ets = options.families == .arima ? nil : AutoETS.fit(y, period: period, options: options)
        let arima = options.families == .ets ? nil : AutoARIMA.fit(y, period: period)
        switch (ets, arima) {
        case (let ets?, let arima?): return .blend(ModelBlend(ets: ets, arima: arima))
        case (let ets?, nil): return .ets(ets)
        case (nil, let arima?): return .arima(arima)
        case (nil, nil): return .seasonalNaive(SeasonalNaive(y, period: period))
        }
    }

    /// The same models (not a new search) fitted to a shorter history, for backtests; nil
    /// where a model has to be chosen again.
    static func refit(_ fitted: FittedModel, to y: [Double], options: Options) -> FittedModel? {
        switch fitted {
        case .ets(let combination):
            return AutoETS.refit(combination, to: y, options: options).map(FittedModel.ets)
        case .arima(let model):
            return ARIMAModel.fit(y, spec: model.spec).map(FittedModel.arima)
        case .blend(let blend):
            let ets = AutoETS.refit(blend.ets, to: y, options: options)
            let arima = ARIMAModel.fit(y, spec: blend.arima.spec)
            switch (ets, arima) {
            case (let ets?, let arima?):
                return .blend(ModelBlend(ets: ets, arima: arima, etsWeight: blend.etsWeight))
            case (let ets?, nil): return .ets(ets)
            case (nil, let arima?): return .arima(arima)
            case (nil, nil): return nil
            }
        default:
            return nil
        }
    }
}

/// The accuracy measures of a backtest.
package enum Accuracy {
    /// The scale MASE divides by: the in-sample seasonal naive MAE, as in the M competitions;
    /// where that is zero (a history that repeats every season) the naive MAE, then the mean
    /// absolute value, then 1, so that a measure never divides by zero.
    ///
    /// For whole units over a holdout of h periods, the scale is at least 1/h (and its square
    /// at least 1/h): an error of one unit in the holdout is the smallest there is. An item that
    /// sold once in a year has a naive MAE of 0.004 a day, and its next single sale in a 28-day
    /// holdout would read as MASE 19 whatever was forecast.
    package static func scale(
        _ train: [Double],
        period: Int,
        wholeUnitsOver h: Int? = nil
    ) -> (
        absolute: Double, squared: Double
    ) {
        let scale = rawScale(train, period: period)
        guard let h, h > 0 else { return scale }
        return (max(scale.absolute, 1 / Double(h)), max(scale.squared, 1 / Double(h)))
    }

    private static func rawScale(_ train: [Double], period: Int) -> (absolute: Double, squared: Double) {
        func differences(_ lag: Int) -> (Double, Double)? {
            guard train.count > lag else { return nil }
            var absolute = 0.0
            var squared = 0.0
            for t in lag..<train.count {
                let d = train[t] - train[t - lag]
                absolute += abs(d)
                squared += d * d
            }
            let n = Double(train.count - lag)
            return absolute > 0 ? (absolute / n, squared / n) : nil
        }
        if let seasonal = differences(train.count > period ? period : 1) { return seasonal }
        if let naive = differences(1) { return naive }
        var level = 0.0
        for value in train { level += abs(value) }
        level /= Double(max(train.count, 1))
        return level > 0 ? (level, level * level) : (1, 1)
    }

    /// Point measures only.
    /// - Parameters:
    ///   - train: the history the forecast came from (for the scale).
    ///   - actual: what happened.
    ///   - forecast: what was forecast.
    ///   - period: the season length of the scale.
    ///   - wholeUnits: whether the series counts whole units (see ``scale(_:period:wholeUnitsOver:)``).
    /// - Returns: MASE, RMSSE, sMAPE and WAPE.
    package static func score(
        train: [Double],
        actual: [Double],
        forecast: [Double],
        period: Int,
        wholeUnits: Bool = false
    ) -> Backtest {
        let h = actual.count
        let (scale, squaredScale) = Self.scale(train, period: period, wholeUnitsOver: wholeUnits ? h : nil)
        var absolute = 0.0
        var squared = 0.0
        var symmetric = 0.0
        var actualTotal = 0.0
        for j in 0..<h {
            let e = actual[j] - forecast[j]
            absolute += abs(e)
            squared += e * e
            actualTotal += abs(actual[j])
            let denominator = abs(actual[j]) + abs(forecast[j])
            if denominator > 0 { symmetric += 200 * abs(e) / denominator }
        }
        var backtest = Backtest(
            horizon: h,
            mase: h > 0 ? absolute / Double(h) / scale : nil,
            smape: h > 0 ? symmetric / Double(h) : nil
        )
        backtest.rmsse = h > 0 ? (squared / Double(h) / squaredScale).squareRoot() : nil
        backtest.wape = actualTotal > 0 ? absolute / actualTotal : nil
        return backtest
    }

    /// Point and interval measures, and what calibrating intervals needs.
    /// - Parameters:
    ///   - train: the history the forecast came from.
    ///   - actual: what happened.
    ///   - forecast: the forecast made from `train` alone.
    ///   - period: the season length of the scale.
    /// - Returns: the backtest.
    package static func score(
        train: [Double],
        actual: [Double],
        forecast: SeriesForecast,
        period: Int
    ) -> Backtest {
        let h = actual.count
        var backtest = score(
            train: train,
            actual: actual,
            forecast: Array(forecast.mean.prefix(h)),
            period: period,
            wholeUnits: forecast.counts
        )
        let scale = Self.scale(train, period: period, wholeUnitsOver: forecast.counts ? h : nil).absolute
        func pinball(_ y: Double, _ q: Double, _ tau: Double) -> Double { max(tau * (y - q), (tau - 1) * (y - q)) }
        var loss80 = 0.0
        var loss95 = 0.0
        var in80 = 0
        var in95 = 0
        for j in 0..<h {
            let y = actual[j]
            let i80 = forecast.interval(step: j, level: 80)
            let i95 = forecast.interval(step: j, level: 95)
            loss80 += (pinball(y, i80.lower, 0.1) + pinball(y, i80.upper, 0.9)) / 2
            loss95 += (pinball(y, i95.lower, 0.025) + pinball(y, i95.upper, 0.975)) / 2
            if y >= i80.lower && y <= i80.upper { in80 += 1 }
            if y >= i95.lower && y <= i95.upper { in95 += 1 }
            if let logScale = forecast.logScale {
                if y > 0, logScale.sd[j] > 0 {
                    backtest.standardizedErrors.append(abs(Double.log(y) - logScale.mean[j]) / logScale.sd[j])
                }
            } else if forecast.counts {
                let distribution = CountDistribution(mean: forecast.mean[j], variance: forecast.sd[j] * forecast.sd[j])
                backtest.countPositions.append(distribution.position(of: y))
            } else if forecast.sd[j] > 0 {
                backtest.standardizedErrors.append(abs(y - forecast.mean[j]) / forecast.sd[j])
            }
        }
        if h > 0 {
            backtest.pinball80 = loss80 / Double(h) / scale
            backtest.pinball95 = loss95 / Double(h) / scale
            backtest.coverage80 = Double(in80) / Double(h)
            backtest.coverage95 = Double(in95) / Double(h)
        }
        return backtest
    }
}
