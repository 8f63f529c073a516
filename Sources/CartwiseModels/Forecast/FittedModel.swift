/// The model a series' forecast came from, kept so that demand over any window (a lead time
/// plus a review period) can be given the right spread later.
package enum FittedModel: Sendable {
    case ets(ETSCombination)
    case arima(ARIMAModel)
    /// The mean of the ETS combination's and ARIMA's forecasts.
    case blend(ModelBlend)
    /// Regression with ARIMA errors on the series' covariates.
    case regression(RegressionModel)
    case intermittent(IntermittentModel)
    case seasonalNaive(SeasonalNaive)
    case shortHistory(ShortHistoryModel)

    /// What answers call the model: `ETS(M,Ad,M)`, `SBA`, `TSB`, `ADIDA`, `IMAPA`, `Pooled`, `Mean`,
    /// `SeasonalNaive`, `Naive`.
    package var name: String {
        switch self {
        case .ets(let combination): return combination.best.spec.description
        case .arima(let model): return model.spec.description
        case .blend(let blend): return blend.ets.best.spec.description + " + " + blend.arima.spec.description
        case .regression(let model):
            return "Regression" + (model.logTarget ? " on log" : "") + " with " + model.arima.spec.description
                + " errors"
        case .intermittent(let model): return model.method.rawValue
        case .seasonalNaive(let model): return model.period > 1 ? "SeasonalNaive" : "Naive"
        case .shortHistory(let model): return model.kind.rawValue
        }
    }

    /// Means and variances of periods 1 ... horizon ahead.
    package func forecast(horizon: Int, seed: UInt64) -> (mean: [Double], variance: [Double]) {
        switch self {
        case .ets(let combination):
            return combination.forecast(horizon: horizon, seed: seed)
        case .arima(let model):
            return model.forecast(horizon: horizon)
        case .blend(let blend):
            return blend.forecast(horizon: horizon, seed: seed)
        case .regression(let model):
            return model.forecast(horizon: horizon)
        case .intermittent(let model):
            return (
                [Double](repeating: model.level, count: horizon),
                [Double](repeating: model.variance, count: horizon)
            )
        case .seasonalNaive(let model):
            return ((0..<horizon).map(model.mean(step:)), (0..<horizon).map(model.variance(step:)))
        case .shortHistory(let model):
            return (
                [Double](repeating: model.mean, count: horizon),
                [Double](repeating: model.variance, count: horizon)
            )
        }
    }

    /// What many windows' variances need, computed once up to `end` periods ahead (the ETS
    /// models' forecasts and error weights; the other models need nothing).
    package func windowTerms(upTo end: Int) -> WindowTerms {
        switch self {
        case .ets(let combination): return .ets(combination.windowTerms(upTo: end))
        case .blend(let blend): return .blend(blend.windowTerms(upTo: end))
        default: return .other(self)
        }
    }

    package enum WindowTerms: Sendable {
        case ets(ETSCombination.WindowTerms)
        case blend(ModelBlend.WindowTerms)
        case other(FittedModel)

        /// See ``FittedModel/sumVariance(start:length:)``.
        package func sumVariance(start: Int, length: Int) -> Double {
            switch self {
            case .ets(let terms): return terms.sumVariance(start: start, length: length)
            case .blend(let terms): return terms.sumVariance(start: start, length: length)
            case .other(let model): return model.sumVariance(start: start, length: length)
            }
        }
    }

    /// Variance of the sum of periods `start + 1 ... start + length` ahead, correlations included.
    package func sumVariance(start: Int, length: Int) -> Double {
        switch self {
        case .ets(let model):
            return model.sumVariance(start: start, length: length)
        case .arima(let model):
            return model.sumVariance(start: start, length: length)
        case .blend(let blend):
            return blend.windowTerms(upTo: start + length).sumVariance(start: start, length: length)
        case .regression(let model):
            return model.sumVariance(start: start, length: length)
        case .intermittent(let model):
            // The smoothed level's own error (alpha / (2 - alpha) of the noise for smoothing at
            // alpha, 0.1 here) is shared by every period of the window.
            let n = Double(length)
            return model.variance * (n + n * (n - 1) * 0.1 / 1.9)
        case .shortHistory(let model):
            // The rate's own uncertainty is shared by every period of the window.
            let n = Double(length)
            return (model.variance - model.levelVariance) * n + model.levelVariance * n * n
        case .seasonalNaive(let model):
            // A seasonal random walk: a shock in cycle k moves every later period of its phase.
            let m = model.period
            var total = 0.0
            for phase in 0..<m {
                let steps = (start..<(start + length)).filter { $0 % m == phase }
                guard let last = steps.last else { continue }
                for cycle in 0...(last / m) {
                    let weight = Double(steps.filter { $0 / m >= cycle }.count)
                    total += weight * weight
                }
            }
            return model.variance * total
        }
    }
}
