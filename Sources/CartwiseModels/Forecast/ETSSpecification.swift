/// One member of the exponential-smoothing state-space family (Hyndman et al. 2008): the error,
/// trend and season components, written as `ETS(M,Ad,M)`.
package struct ETSSpecification: Hashable, Sendable, CustomStringConvertible {
    package enum Error: Sendable, Hashable { case additive, multiplicative }
    package enum Trend: Sendable, Hashable { case none, additive, damped }
    package enum Season: Sendable, Hashable { case none, additive, multiplicative }

    package var error: Error
    package var trend: Trend
    package var season: Season
    /// The season length; 1 when `season` is `.none`.
    package var period: Int

    package init(error: Error, trend: Trend, season: Season, period: Int) {
        self.error = error
        self.trend = trend
        self.season = season
        self.period = season == .none ? 1 : period
    }

    package var description: String {
        let e = error == .additive ? "A" : "M"
        let t: String
        switch trend {
        case .none: t = "N"
        case .additive: t = "A"
        case .damped: t = "Ad"
        }
        let s: String
        switch season {
        case .none: s = "N"
        case .additive: s = "A"
        case .multiplicative: s = "M"
        }
        return "ETS(\(e),\(t),\(s))"
    }

    /// Smoothing and damping parameters plus initial states: what the likelihood is optimised over.
    package var parameterCount: Int {
        var count = 2  // alpha, l0
        if trend != .none { count += 2 }  // beta, b0
        if trend == .damped { count += 1 }  // phi
        if season != .none { count += period }  // gamma, s0..s(m-2)
        return count
    }

    /// Whether `count` observations can estimate the model: more than its parameters + 4, as R's
    /// `ets` requires.
    package func fits(observations count: Int) -> Bool { count > parameterCount + 4 }

    /// The models whose forecast variance has a closed form (Hyndman et al. 2008, table 6.1):
    /// class 1 is linear, class 2 has a multiplicative error on a linear model, class 3 the rest.
    package var varianceClass: Int {
        if error == .additive && season != .multiplicative { return 1 }
        if season != .multiplicative { return 2 }
        return 3
    }

    /// The candidates AutoETS compares, as in R's `forecast::ets` and statsforecast with their
    /// defaults: no multiplicative trend, and no additive error with a multiplicative season
    /// (numerically unstable). Multiplicative components need positive data.
    /// - Parameters:
    ///   - period: the season length (1 for none).
    ///   - positive: whether every observation is above zero.
    ///   - count: the number of observations (a model needs more than its parameters + 4).
    ///   - estimableOnly: leave out the models `count` observations cannot estimate.
    /// - Returns: the candidate specifications.
    package static func candidates(
        period: Int,
        positive: Bool,
        count: Int,
        estimableOnly: Bool = true
    ) -> [ETSSpecification] {
        let seasonal = period > 1 && period <= 24 && count > period
        var result: [ETSSpecification] = []
        for error in [Error.additive, .multiplicative] where positive || error == .additive {
            for trend in [Trend.none, .additive, .damped] {
                for season in [Season.none, .additive, .multiplicative] {
                    if season != .none && !seasonal { continue }
                    if season == .multiplicative && (!positive || error == .additive) { continue }
                    let spec = ETSSpecification(error: error, trend: trend, season: season, period: period)
                    if estimableOnly && !spec.fits(observations: count) { continue }
                    result.append(spec)
                }
            }
        }
        return result
    }
}
