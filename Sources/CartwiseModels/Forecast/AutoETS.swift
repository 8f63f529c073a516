import RealModule

/// Fits every admissible ETS candidate and weighs them by AICc.
///
/// R's `forecast::ets` and statsforecast keep only the model with the smallest AICc. Kolassa
/// (2011, "Combining exponential smoothing forecasts using Akaike weights", IJF 27) showed on
/// the M3 data that averaging the candidates with Akaike weights `exp(-dAICc / 2)` forecasts
/// better than picking one, and the mixture's spread covers the uncertainty about which model
/// is right. ``ETSCombination`` keeps the candidates whose weight matters.
package enum AutoETS {
    /// - Parameters:
    ///   - y: the history, oldest first.
    ///   - period: the season length (1 for none).
    ///   - options: restarts, weights and candidates.
    /// - Returns: the weighted candidates, or nil when no candidate fits (too short a history).
    package static func fit(_ y: [Double], period: Int, options: DemandForecaster.Options = .init()) -> ETSCombination?
    {
        let positive = y.allSatisfy { $0 > 0 }
        var optimizer = NelderMead()
        optimizer.restarts = options.restarts
        var models: [ETSModel] = []
        let caps =
            options.carriedCaps
            ? ETSInitialization.carriedCaps(period: period, positive: positive, count: y.count) : [:]
        for spec in ETSSpecification.candidates(period: period, positive: positive, count: y.count)
        where !(options.dampedTrendOnly && spec.trend == .additive) {
            guard let model = ETSModel.fit(y, spec: spec, optimizer: optimizer, caps: caps[spec] ?? .box),
                model.aicc.isFinite
            else { continue }
            models.append(model)
        }
        return ETSCombination(models, weightScale: options.weightScale)
    }

    /// Refits the same specifications (not a new search) to another history, for backtests.
    package static func refit(
        _ combination: ETSCombination,
        to y: [Double],
        options: DemandForecaster.Options = .init()
    ) -> ETSCombination? {
        var optimizer = NelderMead()
        optimizer.restarts = options.restarts
        var models: [ETSModel] = []
        for model in combination.models where model.spec.fits(observations: y.count) {
            if let refitted = ETSModel.fit(y, spec: model.spec, optimizer: optimizer, caps: model.caps),
                refitted.aicc.isFinite
            {
                models.append(refitted)
            }
        }
        return ETSCombination(models, weightScale: options.weightScale)
    }
}

/// ETS models averaged with Akaike weights: the mean is the weighted mean, the variance that of
/// the mixture (within-model variance plus the spread of the models' means).
package struct ETSCombination: Sendable {
    /// Best first; only models with a weight above 0.1 % are kept.
    package let models: [ETSModel]
    package let weights: [Double]

    /// Nil when `candidates` is empty.
    /// - Parameters:
    ///   - candidates: fitted models with finite AICc.
    ///   - weightScale: multiplies the AICc differences (1: Akaike weights, 0: equal weights).
    package init?(_ candidates: [ETSModel], weightScale: Double = 1) {
        guard let best = candidates.map(\.aicc).min() else { return nil }
        let sorted = candidates.sorted { $0.aicc < $1.aicc }
        var raw = sorted.map { Double.exp(-0.5 * weightScale * ($0.aicc - best)) }
        var keep = raw.count
        let total = raw.reduce(0, +)
        while keep > 1 && raw[keep - 1] / total < 1e-3 { keep -= 1 }
        raw = Array(raw.prefix(keep))
        let kept = raw.reduce(0, +)
        models = Array(sorted.prefix(keep))
        weights = raw.map { $0 / kept }
    }

    /// The model with the largest weight.
    package var best: ETSModel { models[0] }

    package func forecast(horizon: Int, seed: UInt64) -> (mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: horizon)
        var second = [Double](repeating: 0, count: horizon)
        for (model, weight) in zip(models, weights) {
            let mu = model.pointForecast(horizon: horizon)
            let v = model.variances(horizon: horizon, seed: seed)
            for j in 0..<horizon {
                mean[j] += weight * mu[j]
                second[j] += weight * (v[j] + mu[j] * mu[j])
            }
        }
        return (mean, (0..<horizon).map { max(second[$0] - mean[$0] * mean[$0], 0) })
    }

    package func sumVariance(start: Int, length: Int) -> Double {
        windowTerms(upTo: start + length).sumVariance(start: start, length: length)
    }

    /// Each model's window terms up to `end` periods ahead, for many windows.
    package func windowTerms(upTo end: Int) -> WindowTerms {
        WindowTerms(models: models.map { $0.windowTerms(upTo: end) }, weights: weights)
    }

    /// The mixture's variance of a window's sum: within-model variance plus the spread of the
    /// models' sums.
    package struct WindowTerms: Sendable {
        let models: [ETSModel.WindowTerms]
        let weights: [Double]

        /// The mixture's mean of a window's sum.
        package func sum(start: Int, length: Int) -> Double {
            var mean = 0.0
            for index in models.indices { mean += weights[index] * models[index].sum(start: start, length: length) }
            return mean
        }

        package func sumVariance(start: Int, length: Int) -> Double {
            var mean = 0.0
            var second = 0.0
            for index in models.indices {
                let mu = models[index].sum(start: start, length: length)
                let v = models[index].sumVariance(start: start, length: length)
                mean += weights[index] * mu
                second += weights[index] * (v + mu * mu)
            }
            return max(second - mean * mean, 0)
        }
    }
}
