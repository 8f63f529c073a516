import CartwiseModels
import CartwiseSolver

/// The plan's LP relaxation solved by parts, so that a plan of 100,000 customers does not
/// wait 4 s for CLP on 100,000 rows.
///
/// Only a few rows couple the customers (the budget, the caps, the offers' limits). Given their
/// shadow prices λ, each customer's best choice is the offer with the largest p − λ·a, or none
/// when every one is negative; only customers near a tie can end up split in the optimum.
/// 1. CLP solves the relaxation for a random sample of customers, the coupling bounds scaled to
///    its share: its λ is close to the whole plan's.
/// 2. Customers whose best choice under that λ beats the next by a clear margin are fixed to
///    it; the rest (the closest ties, a few thousand) are the core.
/// 3. CLP solves the core with the coupling bounds less what the fixed customers use, giving λ.
/// 4. Under that λ every fixed customer's choice is checked: if each is still its best, the
///    core's solution with the fixed choices is optimal for the whole relaxation (with μ_c, the
///    dual of a fixed customer's own row, between its best alternative's p − λ·a and its
///    choice's, every column's reduced cost has the sign optimality needs and complementary
///    slackness holds). Customers whose choice is not
///    their best join the core and step 3 repeats.
/// Small plans, or a core that will not settle, go to CLP whole.
struct PlanRelaxation {
    let formulation: CampaignPlanner.Formulation

    /// Below this many columns CLP takes the whole relaxation at once.
    static let wholeBelow = 20_000
    static let rounds = 8

    func solve(options: CoinSolver.Options) throws(SolverError) -> ProgramSolution {
        let program = formulation.program
        var whole = program
        whole.integer = false
        guard program.columnCount >= Self.wholeBelow else { return try CoinSolver.solve(whole, options: options) }
        let started = CoinSolver.clock()
        let coupling = formulation.couplingRows
        let candidates = formulation.candidateColumns.count
        // 1. A sample's prices.
        var random = SeededRandom(seed: 0x9E37_79B9)
        let share = max(0.03, 3_000 / Double(candidates))
        let sample = (0..<candidates).filter { _ in random.unit() < share }
        let sampleCount = sample.reduce(0.0) { $0 + count($1) }
        let totalCount = (0..<candidates).reduce(0.0) { $0 + count($1) }
        let fraction = sampleCount / max(1, totalCount)
        let scaledLower = (0..<coupling).map { program.rowLower[$0] * fraction }
        let scaledUpper = (0..<coupling).map { program.rowUpper[$0] * fraction }
        let sampled = try CoinSolver.solve(
            part(sample, lower: scaledLower, upper: scaledUpper).program,
            options: options
        )
        guard sampled.status == .optimal, let samplePrices = sampled.rowPrices else {
            return try CoinSolver.solve(whole, options: options)
        }
        // 2. The core: the candidates nearest a tie.
        let choices = (0..<candidates).map { best($0, prices: Array(samplePrices[0..<coupling])) }
        let coreSize = min(candidates, max(2_000, candidates / 30))
        var inCore = [Bool](repeating: false, count: candidates)
        for candidate in (0..<candidates).sorted(by: { choices[$0].margin < choices[$1].margin }).prefix(coreSize) {
            inCore[candidate] = true
        }
        for _ in 0..<Self.rounds {
            // 3. The core with the fixed customers' use taken off the coupling bounds.
            var used = [Double](repeating: 0, count: coupling)
            for candidate in 0..<candidates where !inCore[candidate] {
                guard let column = choices[candidate].column else { continue }
                for entry in entries(column) where entry.row < coupling {
                    used[entry.row] += entry.value * count(candidate)
                }
            }
            let core = (0..<candidates).filter { inCore[$0] }
            let (coreProgram, coreColumns) = part(
                core,
                lower: (0..<coupling).map { program.rowLower[$0] - used[$0] },
                upper: (0..<coupling).map { program.rowUpper[$0] - used[$0] }
            )
            let solved = try CoinSolver.solve(coreProgram, options: options)
            guard solved.status == .optimal, let corePrices = solved.rowPrices, let coreReduced = solved.reducedCosts
            else { return try CoinSolver.solve(whole, options: options) }
            let prices = Array(corePrices[0..<coupling])
            // 4. Is every fixed choice still the best?
            var settled = true
            var fixed: [(candidate: Int, choice: (column: Int?, score: Double, margin: Double))] = []
            for candidate in 0..<candidates where !inCore[candidate] {
                let now = best(candidate, prices: prices)
                let before = choices[candidate].column
                let scoreBefore = before.map { score($0, prices) } ?? 0
                if now.column != before && now.score - scoreBefore > 1e-9 * max(1, abs(now.score)) {
                    inCore[candidate] = true
                    settled = false
                } else {
                    fixed.append((candidate, (before, scoreBefore, 0)))
                }
            }
            guard settled else { continue }
            var columns = [Double](repeating: 0, count: program.columnCount)
            var reduced = [Double](repeating: 0, count: program.columnCount)
            for (position, column) in coreColumns.enumerated() {
                columns[column] = solved.columns[position]
                reduced[column] = coreReduced[position]
            }
            for (candidate, choice) in fixed {
                // The candidate's own row's dual: any value from the best alternative's score to
                // the chosen one's is optimal; the alternative's makes the chosen column's
                // reduced cost its margin, so step 3 of the MIP can fix it. Without a row (one
                // column), the column's bound plays that part and the dual is 0.
                let scores = formulation.candidateColumns[candidate].map { (column: $0, score: score($0, prices)) }
                let alternative = scores.filter { $0.column != choice.column }.map(\.score).max() ?? 0
                let dual = formulation.candidateRow[candidate] >= 0 && choice.column != nil ? max(0, alternative) : 0
                for entry in scores { reduced[entry.column] = entry.score - dual }
                if let column = choice.column { columns[column] = count(candidate) }
            }
            var rowPrices = [Double](repeating: 0, count: program.rowCount)
            for row in 0..<coupling { rowPrices[row] = prices[row] }
            return ProgramSolution(
                status: .optimal,
                objective: program.objectiveValue(columns),
                columns: columns,
                rowActivity: program.rowActivity(columns),
                rowPrices: rowPrices,
                reducedCosts: reduced,
                seconds: CoinSolver.clock() - started
            )
        }
        return try CoinSolver.solve(whole, options: options)
    }

    private func count(_ candidate: Int) -> Double {
        formulation.program.columnUpper[formulation.candidateColumns[candidate].lowerBound...].first ?? 1
    }

    private func entries(_ column: Int) -> [(row: Int, value: Double)] {
        let program = formulation.program
        return (Int(program.columnStarts[column])..<Int(program.columnStarts[column + 1])).map {
            (Int(program.rowIndices[$0]), program.coefficients[$0])
        }
    }

    /// p − λ·a over the coupling rows.
    private func score(_ column: Int, _ prices: [Double]) -> Double {
        let program = formulation.program
        var value = program.objective[column]
        for entry in Int(program.columnStarts[column])..<Int(program.columnStarts[column + 1]) {
            let row = Int(program.rowIndices[entry])
            if row < prices.count { value -= prices[row] * program.coefficients[entry] }
        }
        return value
    }

    /// The candidate's best column under `prices` (nil: none), its score, and how far ahead of
    /// the next option it is.
    private func best(_ candidate: Int, prices: [Double]) -> (column: Int?, score: Double, margin: Double) {
        var first: (column: Int?, score: Double) = (nil, 0)
        var second = -Double.infinity
        for column in formulation.candidateColumns[candidate] {
            let value = score(column, prices)
            if value > first.score {
                second = first.score
                first = (column, value)
            } else {
                second = max(second, value)
            }
        }
        // "None" scores 0: when a column is best, 0 is among the alternatives.
        if first.column != nil { second = max(second, 0) }
        return (first.column, first.score, first.score - second)
    }

    /// The LP over `candidates` with the given coupling bounds; the positions of its columns
    /// in the whole program.
    private func part(_ candidates: [Int], lower: [Double], upper: [Double]) -> (program: LinearProgram, columns: [Int])
    {
        let program = formulation.program
        let coupling = formulation.couplingRows
        var rowLower = lower
        var rowUpper = upper
        var ownRow: [Int: Int] = [:]
        for candidate in candidates where formulation.candidateRow[candidate] >= 0 {
            ownRow[candidate] = rowLower.count
            rowLower.append(-.infinity)
            rowUpper.append(program.rowUpper[formulation.candidateRow[candidate]])
        }
        var part = LinearProgram(rowLower: rowLower, rowUpper: rowUpper, integer: false)
        var columns: [Int] = []
        for candidate in candidates {
            for column in formulation.candidateColumns[candidate] {
                var entries: [(row: Int, value: Double)] = []
                for entry in Int(program.columnStarts[column])..<Int(program.columnStarts[column + 1]) {
                    let row = Int(program.rowIndices[entry])
                    if row < coupling {
                        entries.append((row, program.coefficients[entry]))
                    } else if let own = ownRow[candidate] {
                        entries.append((own, program.coefficients[entry]))
                    }
                }
                part.addColumn(
                    objective: program.objective[column],
                    lower: program.columnLower[column],
                    upper: program.columnUpper[column],
                    entries: entries
                )
                columns.append(column)
            }
        }
        return (part, columns)
    }
}
