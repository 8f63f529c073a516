/// Chooses and fits a series' model: Croston-type methods for intermittent and lumpy demand,
/// AutoETS otherwise, the seasonal naive method when the history is too short for either.
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

        package init() {}
    }

    /// - Parameters:
    ///   - y: the history, oldest first; at least one value.
    ///   - period: the season length (1 for none).
    ///   - horizon: periods to forecast.
    ///   - backtest: periods held out to score the choice (0 for no backtest).
    ///   - seed: seeds the simulations some models need.
    ///   - options: knobs of the model search.
    /// - Returns: the forecast.
    package static func forecast(
        _ y: [Double],
        period: Int,
        horizon: Int,
        backtest: Int = 0,
        seed: UInt64 = 1,
        options: Options = Options()
    ) -> SeriesForecast {
        let fitted = fit(y, period: period, options: options)
        let (mean, variance) = fitted.forecast(horizon: horizon, seed: seed)
        var score: Backtest?
        if backtest > 0, y.count >= 2 * backtest + 2 {
            let train = Array(y.prefix(y.count - backtest))
            let refitted: FittedModel
            if case .ets(let combination) = fitted, let again = AutoETS.refit(combination, to: train, options: options)
            {
                refitted = .ets(again)
            } else {
                refitted = fit(train, period: period, options: options)
            }
            let refit = refitted.forecast(horizon: backtest, seed: seed)
            let actual = Array(y.suffix(backtest))
            score = Accuracy.score(train: train, actual: actual, forecast: refit.mean, period: period)
            score?.standardizedErrors = (0..<backtest).compactMap { step in
                let sd = max(refit.variance[step], 0).squareRoot()
                return sd > 0 ? abs(actual[step] - refit.mean[step]) / sd : nil
            }
        }
        return SeriesForecast(
            fitted: fitted,
            mean: mean,
            sd: variance.map { max($0, 0).squareRoot() },
            nonNegative: y.allSatisfy { $0 >= 0 },
            backtest: score
        )
    }

    /// The model for `y`.
    package static func fit(_ y: [Double], period: Int, options: Options = Options()) -> FittedModel {
        if y.allSatisfy({ $0 >= 0 }), let pattern = DemandPattern.classify(y) {
            switch pattern {
            case .intermittent:
                if let model = IntermittentModel.fit(y, method: .sba) { return .intermittent(model) }
            case .lumpy:
                if let model = IntermittentModel.fit(y, method: .tsb) { return .intermittent(model) }
            case .smooth, .erratic:
                break
            }
        }
        if let model = AutoETS.fit(y, period: period, options: options) { return .ets(model) }
        return .seasonalNaive(SeasonalNaive(y, period: period))
    }
}

/// The M-competition accuracy measures.
package enum Accuracy {
    /// - Parameters:
    ///   - train: the history the forecast came from (for MASE's scale).
    ///   - actual: what happened.
    ///   - forecast: what was forecast.
    ///   - period: the season length of MASE's seasonal naive scale.
    /// - Returns: MASE and sMAPE (nil where undefined: a constant history for MASE, a holdout
    ///   with zero demand for sMAPE).
    package static func score(train: [Double], actual: [Double], forecast: [Double], period: Int) -> Backtest {
        let h = actual.count
        let m = train.count > period ? period : 1
        var scale = 0.0
        var terms = 0
        if train.count > m {
            for t in m..<train.count {
                scale += abs(train[t] - train[t - m])
                terms += 1
            }
        }
        scale = terms > 0 ? scale / Double(terms) : 0
        var absolute = 0.0
        var symmetric = 0.0
        var symmetricTerms = 0
        for j in 0..<h {
            absolute += abs(actual[j] - forecast[j])
            let denominator = abs(actual[j]) + abs(forecast[j])
            if denominator > 0 {
                symmetric += 200 * abs(actual[j] - forecast[j]) / denominator
                symmetricTerms += 1
            }
        }
        // A zero actual makes its sMAPE term 200 whatever was forecast: meaningless for
        // intermittent demand, so it is left out (null) when the holdout has any.
        let hasZero = actual.contains(0)
        return Backtest(
            horizon: h,
            mase: scale > 0 ? absolute / Double(h) / scale : nil,
            smape: symmetricTerms > 0 && !hasZero ? symmetric / Double(symmetricTerms) : nil
        )
    }
}
