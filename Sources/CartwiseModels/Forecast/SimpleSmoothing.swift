/// Simple exponential smoothing fitted by least squares, as the Croston family's parts need it:
/// the smoothing constant by a search over its range, the initial level in closed form.
///
/// For a fixed constant alpha the one-step forecasts are linear in the initial level l0
/// (`f_t = (1 - alpha)^t l0 + c_t`), so the l0 minimising the squared one-step errors (the
/// Gaussian likelihood) is a weighted mean: no initial value is fixed by convention (the first
/// observation, or the mean of the first few), which on short sequences of demand sizes moves
/// the whole forecast.
package struct SimpleSmoothing: Sendable, Equatable {
    package let alpha: Double
    package let initialLevel: Double
    /// The level after the last observation: the forecast.
    package let level: Double
    /// Mean squared one-step error over the sequence.
    package let meanSquaredError: Double

    /// The constants searched: 0.02 ... 0.5. Larger ones chase noise on demand data.
    package static let alphas: [Double] = stride(from: 0.02, through: 0.5, by: 0.02).map { $0 }

    /// - Parameters:
    ///   - x: the sequence; at least one value.
    ///   - alphas: the constants to try.
    ///   - nonNegativeLevel: keep the initial level at or above zero (demand).
    /// - Returns: the fit with the least squared one-step error.
    package static func fit(_ x: [Double], alphas: [Double] = alphas, nonNegativeLevel: Bool = true) -> SimpleSmoothing
    {
        precondition(!x.isEmpty)
        var best: SimpleSmoothing?
        for alpha in alphas {
            let candidate = fit(x, alpha: alpha, nonNegativeLevel: nonNegativeLevel)
            if best == nil || candidate.meanSquaredError < best!.meanSquaredError { best = candidate }
        }
        return best!
    }

    /// The least-squares initial level for one constant.
    package static func fit(_ x: [Double], alpha: Double, nonNegativeLevel: Bool = true) -> SimpleSmoothing {
        // Forecasts with l0 = 0 (c_t) and the weight of l0 in each (w_t).
        var c = 0.0
        var w = 1.0
        var numerator = 0.0
        var denominator = 0.0
        for value in x {
            numerator += w * (value - c)
            denominator += w * w
            c += alpha * (value - c)
            w *= 1 - alpha
        }
        var l0 = denominator > 0 ? numerator / denominator : x[0]
        if nonNegativeLevel { l0 = max(l0, 0) }
        var level = l0
        var sse = 0.0
        for value in x {
            let e = value - level
            sse += e * e
            level += alpha * e
        }
        return SimpleSmoothing(
            alpha: alpha,
            initialLevel: l0,
            level: level,
            meanSquaredError: sse / Double(x.count)
        )
    }
}
