import Testing

@testable import CartwiseSolver

@Suite struct CoinSolverTests {
    /// The knapsack max 10a + 13b + 7c with 4a + 6b + 3c ≤ 9: of the sets that fit, a + c
    /// gives 17 and b + c gives 20 (a + b weighs 10).
    @Test func smallKnapsackMatchesEnumeration() throws {
        var program = LinearProgram(rowLower: [-.infinity], rowUpper: [9], integer: true)
        for (value, weight) in [(10.0, 4.0), (13, 6), (7, 3)] {
            program.addColumn(objective: value, lower: 0, upper: 1, entries: [(0, weight)])
        }
        let solution = try CoinSolver.solve(program)
        #expect(solution.status == .optimal)
        #expect(solution.columns == [0, 1, 1])
        #expect(abs(solution.objective - 20) < 1e-9)
    }

    /// Its LP relaxation takes the items by value per weight (c 2.33, a 2.5 → a first): a, c and
    /// 2/6 of b: 10 + 7 + 13/3; the budget's shadow price is b's ratio, 13/6.
    @Test func relaxationGivesTheFractionalKnapsackAndItsShadowPrice() throws {
        var program = LinearProgram(rowLower: [-.infinity], rowUpper: [9], integer: false)
        for (value, weight) in [(10.0, 4.0), (13, 6), (7, 3)] {
            program.addColumn(objective: value, lower: 0, upper: 1, entries: [(0, weight)])
        }
        let solution = try CoinSolver.solve(program)
        #expect(solution.status == .optimal)
        #expect(abs(solution.objective - (17 + 13.0 / 3)) < 1e-9)
        #expect(abs((solution.rowPrices?[0] ?? 0) - 13.0 / 6) < 1e-9)
    }

    /// A mixed program: integer x (cases of 4) must cover a continuous need y ≥ 5.5 at least
    /// cost: max −3x − y with 4x − y ≥ 0, y ≥ 5.5 → x = 2 (8 units), y = 5.5: −11.5. Its
    /// relaxation takes x = 1.375: −9.625. The MPS export says the same program.
    @Test func mixedIntegerColumnsAndTheMPSExport() throws {
        var program = LinearProgram(rowLower: [0], rowUpper: [.infinity], integer: true)
        program.addColumn(objective: -3, lower: 0, upper: 100, entries: [(0, 4)])
        program.addColumn(objective: -1, lower: 5.5, upper: .infinity, entries: [(0, -1)])
        program.integerColumns = [true, false]
        let mip = try CoinSolver.solve(program)
        #expect(mip.status == .optimal)
        #expect(mip.columns == [2, 5.5])
        #expect(abs(mip.objective - -11.5) < 1e-9)
        var relaxed = program
        relaxed.integer = false
        let lp = try CoinSolver.solve(relaxed)
        #expect(abs(lp.objective - -9.625) < 1e-9)
        // A start is taken and never makes the answer worse.
        var options = CoinSolver.Options()
        options.start = [3, 5.5]
        #expect(try CoinSolver.solve(program, options: options).objective == mip.objective)
        let mps = program.mps(name: "cases")
        #expect(mps.hasPrefix("NAME cases\nROWS\n N obj\n G r0\n"))
        #expect(mps.contains("MARKER 'MARKER' 'INTORG'\n    c0 obj 3\n    c0 r0 4\n    MARKER 'MARKER' 'INTEND'"))
        #expect(mps.contains(" LO bnd c1 5.5\n") && mps.contains(" UP bnd c0 100\n") && mps.hasSuffix("ENDATA\n"))
    }

    @Test func infeasibleProgramSaysSo() throws {
        // x ≥ 2 with x ≤ 1.
        var program = LinearProgram(rowLower: [2], rowUpper: [.infinity], integer: true)
        program.addColumn(objective: 1, lower: 0, upper: 1, entries: [(0, 1)])
        #expect(try CoinSolver.solve(program).status == .infeasible)
        program.integer = false
        #expect(try CoinSolver.solve(program).status == .infeasible)
    }

    @Test func nanIsRefusedBeforeTheSolver() {
        var program = LinearProgram(rowLower: [0], rowUpper: [1], integer: false)
        program.addColumn(objective: .nan, lower: 0, upper: 1, entries: [(0, 1)])
        #expect(throws: SolverError.notANumber("the objective")) { try CoinSolver.solve(program) }
    }
}

/// The relaxation-first MIP on small assignment plans, against enumerating every plan.
@Suite struct RelaxationFirstTests {
    /// Eight customers, two offers, one budget and a cap on the second offer: 3⁸ plans.
    static func plan(
        seed: UInt64
    ) -> (LinearProgram, profit: [[Double]], spend: [[Double]], budget: Double, cap: Double) {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func unit() -> Double {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Double(state >> 11) * 0x1.0p-53
        }
        let customers = 8
        let profit = (0..<customers).map { _ in [unit() * 10 - 2, unit() * 14 - 3] }
        let spend = (0..<customers).map { _ in [1 + unit() * 3, 2 + unit() * 4] }
        let budget = 10.0
        let cap = 2.0
        // Rows: budget, cap on offer 1, then one per customer.
        var program = LinearProgram(
            rowLower: [Double](repeating: -.infinity, count: 2 + customers),
            rowUpper: [budget, cap] + [Double](repeating: 1, count: customers),
            integer: true
        )
        for customer in 0..<customers {
            for offer in 0..<2 {
                var entries: [(row: Int, value: Double)] = [(0, spend[customer][offer])]
                if offer == 1 { entries.append((1, 1)) }
                entries.append((2 + customer, 1))
                program.addColumn(objective: profit[customer][offer], lower: 0, upper: 1, entries: entries)
            }
        }
        return (program, profit, spend, budget, cap)
    }

    static func enumerate(_ profit: [[Double]], _ spend: [[Double]], budget: Double, cap: Double) -> Double {
        var best = 0.0
        let customers = profit.count
        var choice = [Int](repeating: 0, count: customers)
        func visit(_ index: Int, _ value: Double, _ used: Double, _ capped: Double) {
            if index == customers {
                best = max(best, value)
                return
            }
            choice[index] = 0
            visit(index + 1, value, used, capped)
            for offer in 0..<2 {
                let nextUsed = used + spend[index][offer]
                let nextCapped = capped + (offer == 1 ? 1 : 0)
                if nextUsed <= budget + 1e-12 && nextCapped <= cap {
                    visit(index + 1, value + profit[index][offer], nextUsed, nextCapped)
                }
            }
        }
        visit(0, 0, 0, 0)
        return best
    }

    @Test(arguments: 0..<12)
    func matchesEnumeration(seed: Int) throws {
        let (program, profit, spend, budget, cap) = Self.plan(seed: UInt64(seed + 1))
        let (mip, relaxation) = try CoinSolver.solveByRelaxation(program)
        let best = Self.enumerate(profit, spend, budget: budget, cap: cap)
        #expect(mip.status == .optimal)
        #expect(abs(mip.objective - best) < 1e-9, "seed \(seed): \(mip.objective) against \(best)")
        #expect(relaxation.objective >= mip.objective - 1e-9)
        #expect(CoinSolver.isFeasible(program, mip.columns))
        // The plain CBC solve agrees.
        #expect(abs(try CoinSolver.solve(program).objective - best) < 1e-9)
    }

    /// Reduced costs: in the knapsack's relaxation, a (taken, ratio 2.5) gains 10 − 4·13/6 per
    /// unit and c (2.33) 7 − 3·13/6 over the price of the budget.
    @Test func reducedCostsHaveTheObjectivesSign() throws {
        var program = LinearProgram(rowLower: [-.infinity], rowUpper: [9], integer: false)
        for (value, weight) in [(10.0, 4.0), (13, 6), (7, 3)] {
            program.addColumn(objective: value, lower: 0, upper: 1, entries: [(0, weight)])
        }
        let solution = try CoinSolver.solve(program)
        let reduced = try #require(solution.reducedCosts)
        #expect(abs(reduced[0] - (10 - 4 * 13.0 / 6)) < 1e-9)
        #expect(abs(reduced[1]) < 1e-9)
        #expect(abs(reduced[2] - (7 - 3 * 13.0 / 6)) < 1e-9)
    }
}
