/// What a solver found.
package struct ProgramSolution: Sendable, Equatable {
    package enum Status: Sendable, Equatable {
        /// Proven optimal (a MIP: within the relative gap asked for).
        case optimal
        /// No x satisfies the constraints.
        case infeasible
        /// The objective grows without bound.
        case unbounded
        /// The time limit came first; ``ProgramSolution/columns`` holds the best found, if any.
        case timeLimit
        /// The solver gave up (numerical trouble); its status code.
        case failed(Int)
    }

    package var status: Status
    package var objective: Double
    package var columns: [Double]
    /// A x at the solution.
    package var rowActivity: [Double]
    /// Each row's shadow price (the objective's gain per unit of the row's binding bound), from
    /// an LP only: a MIP has none.
    package var rowPrices: [Double]?
    /// Each column's reduced cost (the objective's gain per unit the column moves off its
    /// bound), from an LP only.
    package var reducedCosts: [Double]? = nil
    /// The solver's wall time.
    package var seconds: Double
    /// For a MIP stopped early: the best objective any plan could reach, as the search proved
    /// it (nil: none proved beyond the solution's own, or an LP).
    package var bound: Double? = nil

    package init(
        status: Status,
        objective: Double,
        columns: [Double],
        rowActivity: [Double],
        rowPrices: [Double]?,
        reducedCosts: [Double]? = nil,
        seconds: Double
    ) {
        self.status = status
        self.objective = objective
        self.columns = columns
        self.rowActivity = rowActivity
        self.rowPrices = rowPrices
        self.reducedCosts = reducedCosts
        self.seconds = seconds
    }
}

/// A program that cannot be handed to the solver.
package enum SolverError: Error, Equatable, CustomStringConvertible {
    /// The matrix has more nonzeros than the solver's 32-bit indices reach.
    case tooLarge(nonzeros: Int)
    /// A bound or coefficient is NaN.
    case notANumber(String)

    package var description: String {
        switch self {
        case .tooLarge(let nonzeros): return "the program has \(nonzeros) nonzeros; at most \(Int32.max) fit"
        case .notANumber(let what): return "\(what) holds NaN"
        }
    }
}
