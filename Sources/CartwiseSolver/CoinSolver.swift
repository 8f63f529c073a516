import CCoinOR
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// COIN-OR's solvers behind one call each: CBC for a MIP, CLP for an LP (and its row prices).
///
/// CBC 2.10's C interface runs its solve through `CbcMain`, which keeps state in globals, so
/// solves are serialised by ``lock``: two plans asked at once wait for each other rather than
/// share that state. CLP models are self-contained, but take the same lock so that a plan's LP
/// and MIP never interleave with another's.
package enum CoinSolver {
    private static let lock = Mutex(())

    /// Options of a solve.
    package struct Options: Sendable {
        /// Stops the search and answers the best solution found so far.
        package var seconds: Double = 60
        /// A MIP stops once the gap between the best solution and the bound is this fraction
        /// of the objective,
        package var relativeGap: Double = 1e-9
        /// or this much in the objective's units.
        package var absoluteGap: Double = 0
        /// A MIP stops after exploring this many nodes, as at the time limit (nil: no limit).
        package var maxNodes: Int? = nil
        /// Solve an LP by the barrier method (then crossover, for a basis and row prices) rather
        /// than the dual simplex: 2.4 times faster on a replenishment plan of 5,000 SKUs (540,000
        /// rows, 26 s against 62 s), where the simplex pivots through one block after another.
        package var barrier = false
        /// A feasible MIP solution to start from (a value per column; the integer ones are
        /// passed): a search stopped early then still answers at least this.
        package var start: [Double]? = nil

        package init(seconds: Double = 60, relativeGap: Double = 1e-9, absoluteGap: Double = 0) {
            self.seconds = seconds
            self.relativeGap = relativeGap
            self.absoluteGap = absoluteGap
        }
    }

    /// Solves `program` (maximising), by CBC when it is integer and by CLP when it is not.
    /// - Returns: the solution and how the solver ended.
    /// - Throws: ``SolverError`` for a program the solver cannot take.
    package static func solve(
        _ program: LinearProgram,
        options: Options = Options()
    ) throws(SolverError) -> ProgramSolution {
        try validate(program)
        return lock.withLock { _ in
            program.integer ? mip(program, options) : lp(program, options)
        }
    }

    private static func validate(_ program: LinearProgram) throws(SolverError) {
        if program.coefficients.count >= Int(Int32.max) { throw .tooLarge(nonzeros: program.coefficients.count) }
        if program.objective.contains(where: \.isNaN) { throw .notANumber("the objective") }
        if program.coefficients.contains(where: \.isNaN) { throw .notANumber("the matrix") }
        if program.columnLower.contains(where: \.isNaN) || program.columnUpper.contains(where: \.isNaN) {
            throw .notANumber("a column bound")
        }
        if program.rowLower.contains(where: \.isNaN) || program.rowUpper.contains(where: \.isNaN) {
            throw .notANumber("a row bound")
        }
    }

    private static func mip(_ program: LinearProgram, _ options: Options) -> ProgramSolution {
        let started = now()
        guard let model = Cbc_newModel() else { return failure(program, code: -1, started) }
        defer { Cbc_deleteModel(model) }
        // CBC minimises the negated objective: with its objective sense set to maximise, the
        // same program took 30 times longer (its heuristics and gap tests are tuned to minimise).
        var negated = program
        negated.objective = program.objective.map { -$0 }
        load(negated) { starts, indices, values, columnLower, columnUpper, objective, rowLower, rowUpper in
            Cbc_loadProblem(
                model,
                Int32(program.columnCount),
                Int32(program.rowCount),
                starts,
                indices,
                values,
                columnLower,
                columnUpper,
                objective,
                rowLower,
                rowUpper
            )
        }
        Cbc_setObjSense(model, 1)
        for column in 0..<program.columnCount where program.isInteger(column) { Cbc_setInteger(model, Int32(column)) }
        Cbc_setLogLevel(model, 0)
        Cbc_setMaximumSeconds(model, options.seconds)
        Cbc_setAllowableFractionGap(model, options.relativeGap)
        Cbc_setAllowableGap(model, options.absoluteGap)
        if let nodes = options.maxNodes { Cbc_setMaximumNodes(model, Int32(clamping: nodes)) }
        if let start = options.start, start.count == program.columnCount {
            var indexes: [Int32] = []
            var values: [Double] = []
            for column in 0..<program.columnCount where program.isInteger(column) {
                indexes.append(Int32(column))
                values.append(start[column])
            }
            if !indexes.isEmpty { Cbc_setMIPStartI(model, Int32(indexes.count), indexes, values) }
        }
        _ = Cbc_solve(model)
        let seconds = now() - started
        let status: ProgramSolution.Status
        if Cbc_isProvenOptimal(model) != 0 {
            status = .optimal
        } else if Cbc_isProvenInfeasible(model) != 0 || Cbc_isInitialSolveProvenPrimalInfeasible(model) != 0 {
            status = .infeasible
        } else if Cbc_isContinuousUnbounded(model) != 0 {
            status = .unbounded
        } else if Cbc_isSecondsLimitReached(model) != 0 || Cbc_isNodeLimitReached(model) != 0 {
            status = .timeLimit
        } else {
            status = .failed(Int(Cbc_status(model)))
        }
        var columns = [Double](repeating: 0, count: program.columnCount)
        if status == .optimal || status == .timeLimit, let solution = Cbc_getColSolution(model) {
            for column in columns.indices {
                columns[column] = program.isInteger(column) ? solution[column].rounded() : solution[column]
            }
        }
        var solution = ProgramSolution(
            status: status,
            objective: program.objectiveValue(columns),
            columns: columns,
            rowActivity: program.rowActivity(columns),
            rowPrices: nil,
            seconds: seconds
        )
        if status == .timeLimit || status == .optimal {
            // The negated program's best possible is a lower bound: negated, an upper bound on
            // the objective.
            let bound = -Cbc_getBestPossibleObjValue(model)
            if bound.isFinite { solution.bound = bound }
        }
        return solution
    }

    private static func lp(_ program: LinearProgram, _ options: Options) -> ProgramSolution {
        let started = now()
        guard let model = Clp_newModel() else { return failure(program, code: -1, started) }
        defer { Clp_deleteModel(model) }
        Clp_setLogLevel(model, 0)
        load(program) { starts, indices, values, columnLower, columnUpper, objective, rowLower, rowUpper in
            Clp_loadProblem(
                model,
                Int32(program.columnCount),
                Int32(program.rowCount),
                starts,
                indices,
                values,
                columnLower,
                columnUpper,
                objective,
                rowLower,
                rowUpper
            )
        }
        Clp_setOptimizationDirection(model, -1)
        Clp_setMaximumSeconds(model, options.seconds)
        _ = options.barrier ? Clp_initialBarrierSolve(model) : Clp_initialSolve(model)
        let code = Int(Clp_status(model))
        let status: ProgramSolution.Status =
            switch code {
            case 0: .optimal
            case 1: .infeasible
            case 2: .unbounded
            case 3: .timeLimit
            default: .failed(code)
            }
        var columns = [Double](repeating: 0, count: program.columnCount)
        var prices = [Double](repeating: 0, count: program.rowCount)
        var reduced = [Double](repeating: 0, count: program.columnCount)
        if status == .optimal {
            if let solution = Clp_getColSolution(model) {
                for column in columns.indices { columns[column] = solution[column] }
            }
            if let costs = Clp_getReducedCost(model) {
                for column in reduced.indices { reduced[column] = costs[column] }
            }
            // CLP reports row prices in the objective's own direction: for this maximisation,
            // the gain per unit of a binding row bound (the knapsack test checks the sign).
            if let rowPrice = Clp_getRowPrice(model) {
                for row in prices.indices { prices[row] = rowPrice[row] }
            }
        }
        return ProgramSolution(
            status: status,
            objective: program.objectiveValue(columns),
            columns: columns,
            rowActivity: program.rowActivity(columns),
            rowPrices: status == .optimal ? prices : nil,
            reducedCosts: status == .optimal ? reduced : nil,
            seconds: now() - started
        )
    }

    private static func load(
        _ program: LinearProgram,
        _ body: (
            UnsafePointer<Int32>, UnsafePointer<Int32>, UnsafePointer<Double>, UnsafePointer<Double>,
            UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>
        ) -> Void
    ) {
        // An empty array's buffer has no base address; COIN-OR reads nothing from it then.
        let empty = [Int32(0)]
        let emptyValue = [0.0]
        let indices = program.rowIndices.isEmpty ? empty : program.rowIndices
        let values = program.coefficients.isEmpty ? emptyValue : program.coefficients
        let objective = program.objective.isEmpty ? emptyValue : program.objective
        let columnLower = program.columnLower.isEmpty ? emptyValue : program.columnLower.map(finite)
        let columnUpper = program.columnUpper.isEmpty ? emptyValue : program.columnUpper.map(finite)
        // COIN-OR spells an absent bound as ±COIN_DBL_MAX (DBL_MAX), not as an IEEE infinity.
        let rowLower = program.rowLower.isEmpty ? emptyValue : program.rowLower.map(finite)
        let rowUpper = program.rowUpper.isEmpty ? emptyValue : program.rowUpper.map(finite)
        program.columnStarts.withUnsafeBufferPointer { starts in
            indices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { values in
                    objective.withUnsafeBufferPointer { objective in
                        columnLower.withUnsafeBufferPointer { columnLower in
                            columnUpper.withUnsafeBufferPointer { columnUpper in
                                rowLower.withUnsafeBufferPointer { rowLower in
                                    rowUpper.withUnsafeBufferPointer { rowUpper in
                                        body(
                                            starts.baseAddress!,
                                            indices.baseAddress!,
                                            values.baseAddress!,
                                            columnLower.baseAddress!,
                                            columnUpper.baseAddress!,
                                            objective.baseAddress!,
                                            rowLower.baseAddress!,
                                            rowUpper.baseAddress!
                                        )
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func finite(_ bound: Double) -> Double {
        bound.isInfinite ? (bound < 0 ? -Double.greatestFiniteMagnitude : .greatestFiniteMagnitude) : bound
    }

    private static func failure(_ program: LinearProgram, code: Int, _ started: Double) -> ProgramSolution {
        ProgramSolution(
            status: .failed(code),
            objective: 0,
            columns: [Double](repeating: 0, count: program.columnCount),
            rowActivity: [Double](repeating: 0, count: program.rowCount),
            rowPrices: nil,
            seconds: now() - started
        )
    }

    /// Monotonic seconds, for the solve times callers report.
    package static func clock() -> Double { now() }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
