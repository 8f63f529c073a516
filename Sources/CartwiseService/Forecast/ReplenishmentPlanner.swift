import CartwiseModels
import CartwiseSolver
import HTTPCore

/// The replenishment plan as a mixed-integer program (docs/forecast.md, "Replenishment plan").
///
/// For SKU s and period t = 1 … H, with D_t the demand of periods 1 … t (the forecast's window,
/// correlations included: mean μ_t, deviation σ_t), orders of n_sτ = N_s,τ+L − N_s,τ+L−1 cases
/// of k_s units placed in period τ arrive L_s periods later:
///
///     minimise   Σ_s Σ_t  h_s (S_st − μ_st + b_st) + p_s b_st
///     subject to S_st = I_s + O_s + k_s N_st                          (supply by the end of t)
///                N_st ≥ N_s,t−1 ≥ 0 integer, N_st = 0 for t < L_s        (cases received by t)
///                b_st ≥ σ_st G(z_j) − (1 − Φ(z_j)) (S_st − μ_st − z_j σ_st)   for every z_j
///                b_st ≥ μ_st − S_st,  b_st ≥ 0                        (b: expected backlog)
///                k_s n_sτ ≥ m_s y_sτ,  n_sτ ≤ U_s y_sτ                  (minimum order, y binary)
///                Σ_s c_s k_s n_sτ ≤ B_τ                                (budget per period)
///                Σ_{s ∈ w} v_s (S_st − μ_s,t−1) ≤ C_w                   (expected stock after receipts)
///                Σ_{s ∈ u} c_s k_s n_sτ ≥ M_u z_uτ,  n_sτ ≤ U_s z_uτ    (supplier minimum, z binary)
///
/// b_st is E[(D_t − S_st)+] under a normal demand, a convex function of S replaced by its
/// tangents at the demand's quantiles z_j (G is the standard normal loss function): the program
/// is exact at those quantiles and slightly optimistic between them; the answer's expected
/// cost and service are computed from the exact loss at the planned supply. S − μ + b is the
/// expected stock on hand. The shortage cost defaults to h·SL/(1 − SL), so that without
/// constraints a period's supply sits at the service level's quantile (the newsvendor ratio).
struct ReplenishmentPlanner: Sendable {
    let request: ReplenishmentRequest
    let entries: [ForecastSnapshot.Entry]
    let seconds: Double
    let relativeGap: Double

    /// CBC's node limit (with the time limit and the gap): the LP bound of these programs is
    /// weak where cases meet a binding budget, and CBC finds the best plan early and then spends
    /// its time failing to prove it; the answer says how far it got.
    static let maxNodes = 50_000

    /// Quantile probabilities the backlog's tangents touch at (the service level's too).
    static let probabilities = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95, 0.98, 0.995, 0.9995]

    struct Layout {
        var horizon = 0
        /// Per SKU: first column of its N (cumulative cases), y (minimum flags), b; order periods.
        var orders: [Int] = []
        var orderPeriods: [Int] = []
        var flags: [Int?] = []
        var backlog: [Int] = []
        var start: [Double] = []
        var casePack: [Double] = []
        var lead: [Int] = []
        var upper: [Double] = []
        /// Per SKU and period: mean and deviation of cumulative demand.
        var mean: [[Double]] = []
        var sd: [[Double]] = []
        var holding: [Double] = []
        var shortage: [Double] = []
        /// Coupling rows for the answer.
        var rows: [CouplingRow] = []
        /// Supplier-minimum row -> its period's supplier flag column.
        var supplierFlag: [Int: Int] = [:]
        /// Per SKU: the fewest cases of an order (0: no minimum beyond a case).
        var minimumCases: [Double] = []
        /// Supplier -> its flag column per period.
        var supplierColumns: [String: [Int]] = [:]
    }

    struct CouplingRow {
        var kind: String
        var name: String?
        var period: Int
        var row: Int
        var limit: Double
        var upper: Bool
    }

    /// Periods a year, for the default holding cost (a quarter of the unit cost a year).
    static func periodsPerYear(_ frequency: Frequency) -> Double {
        switch frequency {
        case .day: return 365
        case .week: return 52
        case .month: return 12
        case .quarter: return 4
        case .year: return 1
        }
    }

    func horizon() -> Int {
        let frequency = entries[0].frequency
        return min(request.horizon ?? ForecastQuery.defaultHorizon(frequency), frequency.maxHorizon)
    }

    /// The program and where everything is in it.
    func formulate() throws(PlanError) -> (program: LinearProgram, layout: Layout) {
        let frequency = entries[0].frequency
        let h = horizon()
        var layout = Layout()
        layout.horizon = h
        var rowLower: [Double] = []
        var rowUpper: [Double] = []
        func addRow(_ lower: Double, _ upper: Double) -> Int {
            rowLower.append(lower)
            rowUpper.append(upper)
            return rowLower.count - 1
        }
        // Coupling rows first: their indexes are known before the SKUs' columns need them.
        var budgetRows: [Int?] = Array(repeating: nil, count: h)
        if let budget = request.budget {
            for period in 0..<h {
                let limit = budget.count == 1 ? budget[0] : period < budget.count ? budget[period] : .infinity
                guard limit.isFinite else { continue }
                budgetRows[period] = addRow(-.infinity, limit)
                layout.rows.append(
                    CouplingRow(kind: "budget", period: period, row: budgetRows[period]!, limit: limit, upper: true)
                )
            }
        }
        let warehouses = Set(request.skus.map(\.warehouse)).sorted()
        var capacityRows: [String: [Int]] = [:]
        for warehouse in warehouses {
            guard let limit = request.capacity[warehouse] ?? request.capacity["*"] else { continue }
            capacityRows[warehouse] = (0..<h).map { period in
                let row = addRow(-.infinity, limit)
                layout.rows.append(
                    CouplingRow(kind: "capacity", name: warehouse, period: period, row: row, limit: limit, upper: true)
                )
                return row
            }
        }
        let suppliers = Set(request.skus.compactMap(\.supplier)).filter { (request.supplierMinimums[$0] ?? 0) > 0 }
            .sorted()
        var supplierRows: [String: [Int]] = [:]
        for supplier in suppliers {
            supplierRows[supplier] = (0..<h).map { period in
                let row = addRow(0, .infinity)
                layout.rows.append(
                    CouplingRow(
                        kind: "supplier_minimum",
                        name: supplier,
                        period: period,
                        row: row,
                        limit: request.supplierMinimums[supplier]!,
                        upper: false
                    )
                )
                return row
            }
        }
        var columns:
            [(objective: Double, lower: Double, upper: Double, integer: Bool, entries: [(row: Int, value: Double)])] =
                []
        func addColumn(_ objective: Double, _ lower: Double, _ upper: Double, _ integer: Bool) -> Int {
            columns.append((objective, lower, upper, integer, []))
            return columns.count - 1
        }
        // Supplier flags: z_uτ, and rows n_sτ ≤ U z_uτ added per SKU below.
        var supplierFlags: [String: [Int]] = [:]
        for supplier in suppliers {
            supplierFlags[supplier] = (0..<h).map { period in
                let column = addColumn(0, 0, 1, true)
                columns[column].entries.append((supplierRows[supplier]![period], -request.supplierMinimums[supplier]!))
                layout.supplierFlag[supplierRows[supplier]![period]] = column
                return column
            }
            layout.supplierColumns[supplier] = supplierFlags[supplier]
        }
        let z = Self.probabilities.union(request.serviceLevel).map(NormalDistribution.quantile)
        let perYear = Self.periodsPerYear(frequency)
        for (index, sku) in request.skus.enumerated() {
            let entry = entries[index]
            let windows = entry.forecast.windows(upTo: h)
            var mean = [Double](repeating: 0, count: h)
            var sd = mean
            for t in 0..<h {
                let window = windows.window(start: 0, length: t + 1)
                mean[t] = window.mean
                sd[t] = window.sd
            }
            layout.mean.append(mean)
            layout.sd.append(sd)
            // A free item still costs something to hold (a millionth a unit), or the service
            // level, which prices shortage relative to holding, would say nothing.
            let holding = sku.holdingCost ?? max(sku.unitCost * 0.25 / perYear, 1e-6)
            let shortage = sku.shortageCost ?? holding * request.serviceLevel / (1 - request.serviceLevel)
            layout.holding.append(holding)
            layout.shortage.append(shortage)
            let k = Double(sku.casePack)
            let lead = sku.leadTime
            let orderPeriods = max(0, h - lead)
            // More than the horizon's demand at five deviations never pays for itself.
            let upper = max(1, ((mean[h - 1] + 5 * sd[h - 1] + sku.minOrder) / k).rounded(.up))
            layout.upper.append(upper)
            layout.orderPeriods.append(orderPeriods)
            let start = sku.onHand + sku.onOrder
            // Cumulative cases received by the end of period t, N_t (t ≥ lead; none before), are
            // the integer columns: each period's cost depends on its own N_t alone, so branching
            // on one moves the bound, where branching on one period's order (compensated by the
            // next period's, fractionally) barely did. An order is a difference of two of them.
            let firstOrder = columns.count
            layout.orders.append(firstOrder)
            // S_t = start + k N_t is substituted: N_t carries S_t's holding cost.
            for _ in lead..<max(lead, h) { _ = addColumn(-holding * k, 0, upper, true) }
            // The order placed in period tau is N[tau + lead] − N[tau + lead − 1], at least 0.
            func orderEntries(_ tau: Int, _ row: Int, _ scale: Double) {
                columns[firstOrder + tau].entries.append((row, scale))
                if tau > 0 { columns[firstOrder + tau - 1].entries.append((row, -scale)) }
            }
            for tau in 0..<orderPeriods {
                if tau > 0 { orderEntries(tau, addRow(0, .infinity), 1) }
                if let row = budgetRows[tau] { orderEntries(tau, row, sku.unitCost * k) }
                if let supplier = sku.supplier, let rows = supplierRows[supplier] {
                    orderEntries(tau, rows[tau], sku.unitCost * k)
                    let link = addRow(-.infinity, 0)
                    orderEntries(tau, link, 1)
                    columns[supplierFlags[supplier]![tau]].entries.append((link, -upper))
                }
            }
            let minimumCases = (sku.minOrder / k).rounded(.up)
            var flagColumns: [Int] = []
            if minimumCases > 1 {
                for tau in 0..<orderPeriods {
                    let flag = addColumn(0, 0, 1, true)
                    flagColumns.append(flag)
                    let atLeast = addRow(0, .infinity)
                    let atMost = addRow(-.infinity, 0)
                    orderEntries(tau, atLeast, 1)
                    orderEntries(tau, atMost, 1)
                    columns[flag].entries += [(atLeast, -minimumCases), (atMost, -upper)]
                }
            }
            layout.flags.append(flagColumns.first)
            layout.minimumCases.append(minimumCases > 1 ? minimumCases : 0)
            func supplyColumn(_ t: Int) -> Int? { t >= lead ? firstOrder + t - lead : nil }
            if let rows = capacityRows[sku.warehouse] {
                for t in 0..<h {
                    // Expected stock after receipts, v (S_t − μ_{t−1}) = v k N_t + v (start − μ_{t−1}).
                    let before = t > 0 ? mean[t - 1] : 0
                    rowUpper[rows[t]] -= sku.volume * (start - before)
                    if let column = supplyColumn(t) { columns[column].entries.append((rows[t], sku.volume * k)) }
                }
            }
            let firstBacklog = columns.count
            layout.backlog.append(firstBacklog)
            for t in 0..<h {
                let column = addColumn(-(holding + shortage), 0, .infinity, false)
                let supply = supplyColumn(t)
                // b ≥ μ − S (the tangent far below) and one tangent per quantile, with
                // S = start + k N: b + slope k N ≥ value at the quantile − slope (start − quantile).
                let floor = addRow(mean[t] - start, .infinity)
                columns[column].entries.append((floor, 1))
                if let supply { columns[supply].entries.append((floor, k)) }
                guard sd[t] > 0 else { continue }
                for zj in z {
                    let slope = 1 - NormalDistribution.cdf(zj)
                    guard slope > 1e-9 else { continue }
                    let point = mean[t] + zj * sd[t]
                    let row = addRow(sd[t] * NormalDistribution.loss(zj) + slope * (point - start), .infinity)
                    columns[column].entries.append((row, 1))
                    if let supply { columns[supply].entries.append((row, slope * k)) }
                }
            }
            layout.start.append(start)
            layout.casePack.append(k)
            layout.lead.append(lead)
        }
        // Capacity the stock already on hand breaks, with nothing ordered, is no plan at all.
        for row in layout.rows where row.kind == "capacity" {
            let stock = request.skus.enumerated().filter { $0.element.warehouse == row.name }.reduce(0.0) {
                total,
                pair in
                let (index, sku) = pair
                let before = row.period > 0 ? layout.mean[index][row.period - 1] : 0
                return total + sku.volume * (sku.onHand + sku.onOrder - before)
            }
            // Orders only add stock: what is expected without any already breaks the capacity.
            if stock > row.limit + 1e-9 {
                throw .infeasible(
                    constraint: "capacity",
                    detail:
                        "warehouse '\(row.name ?? "")' is expected to hold \(JSONWriter.number((stock * 1000).rounded() / 1000)) of volume on hand and on order in period \(row.period + 1) without any order, above its capacity of \(JSONWriter.number(row.limit))"
                )
            }
        }
        var program = LinearProgram(rowLower: rowLower, rowUpper: rowUpper, integer: !request.relaxation)
        program.integerColumns = columns.map(\.integer)
        for column in columns {
            var entries = column.entries
            entries.sort { $0.row < $1.row }
            program.addColumn(objective: column.objective, lower: column.lower, upper: column.upper, entries: entries)
        }
        return (program, layout)
    }
}

extension Array where Element == Double {
    /// The probabilities with one more, sorted and without repeats.
    fileprivate func union(_ value: Double) -> [Double] {
        (self + [value]).sorted().reduce(into: []) { result, p in
            if result.last.map({ abs($0 - p) > 1e-12 }) ?? true { result.append(p) }
        }
    }
}

extension ReplenishmentPlanner {
    /// Solves the plan (its LP relaxation first: the bound and the constraints' prices) and
    /// writes the answer.
    func solve() throws(PlanError) -> [UInt8] {
        let (program, layout) = try formulate()
        var relaxed = program
        relaxed.integer = false
        var options = CoinSolver.Options(seconds: seconds, relativeGap: relativeGap)
        options.maxNodes = Self.maxNodes
        options.barrier = program.rowCount > 100_000
        let lp: ProgramSolution
        do {
            lp = try CoinSolver.solve(relaxed, options: options)
        } catch {
            throw .unsolved("the solver refused the program: \(error.description)")
        }
        guard lp.status == .optimal else { throw unsolved(lp, "its LP relaxation") }
        if request.relaxation { return answer(program, layout, plan: lp, lp: lp) }
        // The relaxation rounded and repaired into a plan: CBC starts from it, so a search the
        // time limit stops still answers a plan close to the bound (and ordering nothing, which
        // meets every constraint, when rounding could not be repaired).
        let start = completed(
            incumbent(program, layout, lp) ?? [Double](repeating: 0, count: program.columnCount),
            program,
            layout
        )
        options.start = start
        var plan: ProgramSolution
        do {
            plan = try CoinSolver.solve(program, options: options)
        } catch {
            throw .unsolved("the solver refused the program: \(error.description)")
        }
        guard plan.status == .optimal || plan.status == .timeLimit else { throw unsolved(plan, "the integer program") }
        // A search stopped before it improved on (or even took) its start answers the start: a
        // plan of thousands of SKUs can outlast the time limit in CBC's root alone.
        let startValue = program.objectiveValue(start)
        if plan.status == .timeLimit, startValue > plan.objective {
            let bound = plan.bound
            plan = ProgramSolution(
                status: .timeLimit,
                objective: startValue,
                columns: start,
                rowActivity: program.rowActivity(start),
                rowPrices: nil,
                seconds: plan.seconds
            )
            plan.bound = bound
        }
        return answer(program, layout, plan: plan, lp: lp)
    }

    private func unsolved(_ solution: ProgramSolution, _ what: String) -> PlanError {
        switch solution.status {
        case .infeasible:
            return .infeasible(
                constraint: request.supplierMinimums.isEmpty ? "capacity" : "supplier_minimums",
                detail: "no order plan meets the constraints (\(what) is infeasible)"
            )
        case .timeLimit:
            return .unsolved("the solver found no plan in \(JSONWriter.number(seconds)) s")
        default:
            return .unsolved("the solver could not solve \(what) (\(solution.status))")
        }
    }
}
