/// Smoothing parameters and the state they start from, in the error-correction form of
/// Hyndman et al. (2008): `beta` and `gamma` multiply the one-step error directly, which is why
/// the usual bounds read `beta < alpha` and `gamma < 1 - alpha`.
package struct ETSParameters: Sendable, Equatable {
    package var alpha: Double
    package var beta: Double
    package var gamma: Double
    package var phi: Double

    package init(alpha: Double, beta: Double = 0, gamma: Double = 0, phi: Double = 1) {
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.phi = phi
    }
}

/// Level, slope and seasonal states. `season[0]` is the factor of the next period and
/// `season[period - 1]` that of the period just seen.
package struct ETSState: Sendable, Equatable {
    package var level: Double
    package var slope: Double
    package var season: [Double]

    package init(level: Double, slope: Double = 0, season: [Double] = []) {
        self.level = level
        self.slope = slope
        self.season = season
    }
}
