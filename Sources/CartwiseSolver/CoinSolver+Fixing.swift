extension CoinSolver {
    /// A MIP with a nonnegative matrix, solved through its LP relaxation first, and the
    /// relaxation itself (for its bound and shadow prices).
    ///
    /// Plans of this shape (one offer per customer under a budget and a few caps) have LP
    /// optima that are integral but for a handful of columns, one per coupling row. CBC
    /// proves that slowly on 100,000 customers (5 s at 10,000 with its default cuts and
    /// heuristics), so the search is narrowed first, exactly:
    /// 1. CLP solves the relaxation: the bound z* and each column's reduced cost d_j.
    /// 2. The relaxation rounded down, then filled greedily by objective while every row's
    ///    upper bound holds, is a feasible plan (when the lower bounds still hold): the
    ///    incumbent, z₀.
    /// 3. Any plan's objective is at most z* − Σ |d_j| · (how far column j is from its LP
    ///    bound), so a column whose |d_j| exceeds z* − z₀ cannot move a whole unit off its
    ///    bound in a plan better than the incumbent: it is fixed there (reduced-cost fixing).
    /// 4. Unless z* − z₀ is already within the gap asked for (then the incumbent is the
    ///    answer), CBC solves what is left (rows' bounds less the fixed columns' share) to that
    ///    gap, counted in the whole plan's objective; the better of its plan and the incumbent
    ///    is the answer.
    /// Without an incumbent (rounding broke a lower bound) CBC gets the whole program.
    /// - Returns: the MIP's solution and the relaxation's.
    /// - Throws: ``SolverError`` for a program the solver cannot take.
    package static func solveByRelaxation(
        _ program: LinearProgram,
        options: Options = Options()
    ) throws(SolverError) -> (mip: ProgramSolution, relaxation: ProgramSolution) {
        var relaxed = program
        relaxed.integer = false
        let relaxation = try solve(relaxed, options: options)
        return (try solve(program, from: relaxation, options: options), relaxation)
    }

    /// Steps 2-4 of ``solveByRelaxation(_:options:)`` from a relaxation solved elsewhere (a
    /// caller that knows the program's structure can solve it faster by parts).
    /// - Parameters:
    ///   - program: the MIP.
    ///   - relaxation: its LP relaxation's optimum, with every column's value and reduced cost.
    ///   - options: the time limit and the gap for the search that is left.
    /// - Returns: the MIP's solution.
    /// - Throws: ``SolverError`` for a program the solver cannot take.
    package static func solve(
        _ program: LinearProgram,
        from relaxation: ProgramSolution,
        options: Options = Options()
    ) throws(SolverError) -> ProgramSolution {
        let started = clock()
        guard relaxation.status == .optimal, let reduced = relaxation.reducedCosts else {
            if relaxation.status == .infeasible || relaxation.status == .unbounded {
                var mip = relaxation
                mip.rowPrices = nil
                mip.reducedCosts = nil
                return mip
            }
            return try solve(program, options: options)
        }
        guard let incumbent = incumbent(program, relaxation.columns) else {
            var whole = try solve(program, options: options)
            whole.seconds = clock() - started
            return whole
        }
        let incumbentObjective = program.objectiveValue(incumbent)
        // A hair of slack on the gap, so a rounding error cannot fix a column that matters.
        let gap = relaxation.objective - incumbentObjective + 1e-7 * max(1, abs(relaxation.objective))
        var free: [Int] = []
        var fixed = [Double](repeating: 0, count: program.columnCount)
        for column in 0..<program.columnCount {
            let value = relaxation.columns[column]
            let atLower = value <= program.columnLower[column] + 1e-9
            let atUpper = value >= program.columnUpper[column] - 1e-9
            if (atLower || atUpper) && abs(reduced[column]) > gap {
                fixed[column] = atLower ? program.columnLower[column] : program.columnUpper[column]
            } else {
                free.append(column)
            }
        }
        var best = incumbent
        var bestObjective = incumbentObjective
        var status = ProgramSolution.Status.optimal
        // The relaxation's bound already proves the incumbent within the gap asked for.
        let tolerance = options.relativeGap * max(1, abs(relaxation.objective))
        if !free.isEmpty && relaxation.objective - incumbentObjective > tolerance {
            var rest = LinearProgram(rowLower: program.rowLower, rowUpper: program.rowUpper, integer: true)
            let fixedActivity = program.rowActivity(fixed)
            for row in 0..<program.rowCount {
                rest.rowLower[row] -= fixedActivity[row]
                rest.rowUpper[row] -= fixedActivity[row]
            }
            for column in free {
                let range = Int(program.columnStarts[column])..<Int(program.columnStarts[column + 1])
                rest.addColumn(
                    objective: program.objective[column],
                    lower: program.columnLower[column],
                    upper: program.columnUpper[column],
                    entries: range.map { (Int(program.rowIndices[$0]), program.coefficients[$0]) }
                )
            }
            // The gap is the whole plan's, not the remainder's: in the objective's units.
            var partOptions = options
            partOptions.relativeGap = 0
            partOptions.absoluteGap = max(options.absoluteGap, tolerance)
            let part = try solve(rest, options: partOptions)
            if part.status == .timeLimit { status = .timeLimit }
            if part.status == .optimal || part.status == .timeLimit {
                var candidate = fixed
                for (position, column) in free.enumerated() { candidate[column] = part.columns[position] }
                let objective = program.objectiveValue(candidate)
                if objective > bestObjective && isFeasible(program, candidate) {
                    best = candidate
                    bestObjective = objective
                }
            }
        }
        return ProgramSolution(
            status: status,
            objective: bestObjective,
            columns: best,
            rowActivity: program.rowActivity(best),
            rowPrices: nil,
            seconds: clock() - started
        )
    }

    /// The relaxation rounded down and filled greedily; nil when that breaks a lower bound.
    static func incumbent(_ program: LinearProgram, _ relaxed: [Double]) -> [Double]? {
        guard !program.coefficients.contains(where: { $0 < 0 }) else { return nil }
        var x = relaxed.indices.map { max(program.columnLower[$0], (relaxed[$0] + 1e-9).rounded(.down)) }
        var activity = program.rowActivity(x)
        let order = (0..<program.columnCount).filter { program.objective[$0] > 0 }
            .sorted { program.objective[$0] > program.objective[$1] }
        for column in order {
            let range = Int(program.columnStarts[column])..<Int(program.columnStarts[column + 1])
            while x[column] + 1 <= program.columnUpper[column] {
                let fits = range.allSatisfy { entry in
                    let row = Int(program.rowIndices[entry])
                    return activity[row] + program.coefficients[entry] <= program.rowUpper[row] + 1e-9
                }
                guard fits else { break }
                x[column] += 1
                for entry in range { activity[Int(program.rowIndices[entry])] += program.coefficients[entry] }
            }
        }
        return isFeasible(program, x) ? x : nil
    }

    package static func isFeasible(_ program: LinearProgram, _ x: [Double]) -> Bool {
        let activity = program.rowActivity(x)
        for row in 0..<program.rowCount {
            let tolerance =
                1e-7 * max(1, abs(program.rowUpper[row].isFinite ? program.rowUpper[row] : program.rowLower[row]))
            if activity[row] > program.rowUpper[row] + tolerance || activity[row] < program.rowLower[row] - tolerance {
                return false
            }
        }
        for column in 0..<program.columnCount
        where x[column] < program.columnLower[column] - 1e-9 || x[column] > program.columnUpper[column] + 1e-9 {
            return false
        }
        return true
    }
}
