/// What the shop does to a series' demand, period by period: prices and promotion flags.
package struct Covariates: Sendable {
    package var names: [String]
    /// Per covariate, one value per period of the history (aligned with the series).
    package var history: [[Double]]
    /// Per covariate, the planned values of periods 1 ... horizon ahead.
    package var future: [[Double]]
    /// Whether each enters the model as its logarithm: a price's coefficient is then an
    /// elasticity (a 10 % cut lifts a log-demand model's sales by the same share at any level).
    package var logged: [Bool]

    package init(names: [String], history: [[Double]], future: [[Double]], logged: [Bool]) {
        self.names = names
        self.history = history
        self.future = future
        self.logged = logged
    }

    package var isEmpty: Bool { names.isEmpty }

    /// The first `count` periods of the history, with the rest of it as the planned future
    /// (a backtest knows the prices and promotions it is scored on, as a planner would).
    package func split(at count: Int) -> Covariates {
        Covariates(
            names: names,
            history: history.map { Array($0.prefix(count)) },
            future: history.map { Array($0.dropFirst(count)) },
            logged: logged
        )
    }

    /// The columns as the model sees them (logarithms where `logged`).
    func transformed(_ columns: [[Double]]) -> [[Double]] {
        zip(columns, logged).map { column, log in
            log ? column.map { RegressionModel.safeLog($0) } : column
        }
    }
}
