import RealModule

/// Regression with ARIMA errors on a series' covariates (R's `auto.arima(x, xreg=)`), on the
/// logarithm of demand when demand is always positive: a promotion then lifts sales by a share
/// rather than by units, the same at a busy store as at a quiet one, and a logged price's
/// coefficient is the price elasticity (the log-log promotion model of retail practice).
/// The log model's point forecasts are exp(mean of the log) (the median; a mean over
/// exp(sigma^2 / 2) above it is also given) and its intervals exp(bounds of the log).
package struct RegressionModel: Sendable {
    package let arima: ARIMAModel
    package let logTarget: Bool
    package let names: [String]
    package let logged: [Bool]
    /// The planned covariates of periods 1 ... n ahead, as fitted (the forecast's default).
    package let planned: [[Double]]

    /// - Returns: nil when no ARIMA model fits the regression.
    package static func fit(_ y: [Double], period: Int, covariates: Covariates) -> RegressionModel? {
        let logTarget = y.allSatisfy { $0 > 0 }
        let target = logTarget ? y.map { Double.log($0) } : y
        let columns = covariates.transformed(covariates.history)
        guard let arima = AutoARIMA.fit(target, period: period, regressors: columns) else { return nil }
        return RegressionModel(
            arima: arima,
            logTarget: logTarget,
            names: covariates.names,
            logged: covariates.logged,
            planned: covariates.future
        )
    }

    /// The same specification on another history (backtests).
    package func refit(_ y: [Double], covariates: Covariates) -> RegressionModel? {
        let target = logTarget ? y.map { Self.safeLog($0) } : y
        guard
            let arima = ARIMAModel.fit(target, spec: arima.spec, regressors: covariates.transformed(covariates.history))
        else { return nil }
        return RegressionModel(
            arima: arima,
            logTarget: logTarget,
            names: names,
            logged: logged,
            planned: covariates.future
        )
    }

    static func safeLog(_ x: Double) -> Double { Double.log(max(x, 1e-9)) }

    /// Each covariate's coefficient (an elasticity for a logged price in a log model).
    package var coefficients: [(name: String, value: Double)] {
        let slopes = arima.beta.dropFirst(arima.spec.constant ? 1 : 0)
        return zip(names, slopes).map { ($0, $1) }
    }

    /// The forecast on the model's own scale (logs for a log model).
    /// - Parameters:
    ///   - horizon: periods ahead.
    ///   - future: planned covariates per period ahead (nil: those it was fitted with).
    /// - Returns: means and variances per period.
    package func modelScale(horizon: Int, future: [[Double]]? = nil) -> (mean: [Double], variance: [Double]) {
        let columns = future ?? planned
        let covariates = Covariates(names: names, history: [], future: columns, logged: logged)
        return arima.forecast(horizon: horizon, future: covariates.transformed(columns))
    }

    /// Means and variances of demand per period ahead.
    package func forecast(horizon: Int, future: [[Double]]? = nil) -> (mean: [Double], variance: [Double]) {
        let (mu, v) = modelScale(horizon: horizon, future: future)
        guard logTarget else { return (mu, v) }
        var mean = mu
        var variance = v
        for h in 0..<horizon {
            mean[h] = Double.exp(mu[h] + v[h] / 2)
            variance[h] = (Double.exp(v[h]) - 1) * mean[h] * mean[h]
        }
        return (mean, variance)
    }

    /// Variance of a window's demand: exactly the ARIMA's for a model on units; for a log model
    /// by the delta method, each period's log error scaled by its mean.
    package func sumVariance(start: Int, length: Int) -> Double {
        guard logTarget else { return arima.sumVariance(start: start, length: length) }
        let means = forecast(horizon: start + length).mean
        return arima.sumVariance(start: start, length: length, scales: means)
    }
}
