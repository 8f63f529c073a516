/// Croston-type forecasts for intermittent demand: smooth the size of non-zero demands and
/// either the interval between them (Croston 1972; SBA, the Syntetos-Boylan bias correction
/// `1 - alpha/2`) or the probability of a demand in each period (TSB, Teunter, Syntetos and
/// Babai 2011, which also decays towards zero when an item stops selling).
///
/// These methods have no likelihood; the forecast distribution is the one-step in-sample errors'
/// spread, the same in every period and independent between periods.
package struct IntermittentModel: Sendable {
    package enum Method: String, Sendable {
        case croston = "Croston"
        case sba = "SBA"
        case tsb = "TSB"
    }

    package let method: Method
    package let alpha: Double
    /// TSB's smoothing of the demand probability.
    package let beta: Double
    package let level: Double
    /// Variance of the one-step in-sample errors.
    package let variance: Double

    /// Fits the smoothing constants on a grid (0.05 ... 0.3, the range the literature recommends)
    /// by in-sample one-step squared error.
    /// - Parameters:
    ///   - y: the history (non-negative).
    ///   - method: which variant.
    /// - Returns: the model, or nil without any demand.
    package static func fit(_ y: [Double], method: Method) -> IntermittentModel? {
        guard y.contains(where: { $0 > 0 }) else { return nil }
        let grid = stride(from: 0.05, through: 0.3, by: 0.05).map { $0 }
        var best: (score: Double, alpha: Double, beta: Double, level: Double)?
        for alpha in grid {
            for beta in method == .tsb ? grid : [0] {
                let (sse, count, level) = run(y, method: method, alpha: alpha, beta: beta)
                let score = count > 0 ? sse / Double(count) : .infinity
                if best == nil || score < best!.score { best = (score, alpha, beta, level) }
            }
        }
        guard let best else { return nil }
        return IntermittentModel(
            method: method,
            alpha: best.alpha,
            beta: best.beta,
            level: best.level,
            variance: best.score.isFinite ? best.score : 0
        )
    }

    private init(method: Method, alpha: Double, beta: Double, level: Double, variance: Double) {
        self.method = method
        self.alpha = alpha
        self.beta = beta
        self.level = level
        self.variance = variance
    }

    /// Runs the recursions, returning the squared one-step errors after the first demand and the
    /// final forecast.
    static func run(_ y: [Double], method: Method, alpha: Double, beta: Double) -> (Double, Int, Double) {
        guard let first = y.firstIndex(where: { $0 > 0 }) else { return (0, 0, 0) }
        var size = y[first]
        var interval = Double(first + 1)
        var probability = 1 / interval
        var since = 0.0
        var sse = 0.0
        var count = 0
        func forecast() -> Double {
            switch method {
            case .croston: return size / interval
            case .sba: return (1 - alpha / 2) * size / interval
            case .tsb: return probability * size
            }
        }
        for t in (first + 1)..<max(y.count, first + 1) {
            let f = forecast()
            let e = y[t] - f
            sse += e * e
            count += 1
            since += 1
            if method == .tsb {
                probability += beta * ((y[t] > 0 ? 1 : 0) - probability)
                if y[t] > 0 { size += alpha * (y[t] - size) }
            } else if y[t] > 0 {
                size += alpha * (y[t] - size)
                interval += alpha * (since - interval)
            }
            if y[t] > 0 { since = 0 }
        }
        return (sse, count, forecast())
    }
}
