import CartwiseSolver

/// CBC's starting plan: the LP relaxation rounded to whole cases and repaired.
extension ReplenishmentPlanner {
    /// The relaxation's cumulative cases rounded to the nearest whole case (never below the
    /// period before), orders under a minimum rounded to nothing or the minimum, then repaired:
    /// each period over its budget loses the cases rounded up most, a supplier short of its
    /// minimum gets nothing that period. Nil when a capacity is broken (CBC starts from nothing).
    func incumbent(_ program: LinearProgram, _ layout: Layout, _ lp: ProgramSolution) -> [Double]? {
        let h = layout.horizon
        var start = [Double](repeating: 0, count: program.columnCount)
        // orders[s][tau] in cases, and the relaxation's.
        var orders: [[Double]] = []
        var relaxed: [[Double]] = []
        for s in request.skus.indices {
            let periods = layout.orderPeriods[s]
            var previousLP = 0.0
            var cumulative = 0.0
            var row: [Double] = []
            var rowLP: [Double] = []
            for tau in 0..<periods {
                let value = lp.columns[layout.orders[s] + tau]
                rowLP.append(max(0, value - previousLP))
                previousLP = value
                var order = max(0, value.rounded() - cumulative)
                let minimum = layout.minimumCases[s]
                if minimum > 0, order > 0, order < minimum { order = rowLP[tau] >= minimum / 2 ? minimum : 0 }
                row.append(order)
                cumulative += order
            }
            orders.append(row)
            relaxed.append(rowLP)
        }
        func caseCost(_ s: Int) -> Double { request.skus[s].unitCost * Double(request.skus[s].casePack) }
        for row in layout.rows where row.kind == "budget" {
            let tau = row.period
            var spend = 0.0
            for s in request.skus.indices where tau < orders[s].count { spend += orders[s][tau] * caseCost(s) }
            while spend > row.limit + 1e-9 {
                var pick: Int?
                var excess = -Double.infinity
                for s in request.skus.indices where tau < orders[s].count && orders[s][tau] > 0 {
                    let over = orders[s][tau] - relaxed[s][tau]
                    if over > excess {
                        excess = over
                        pick = s
                    }
                }
                guard let s = pick else { return nil }
                let minimum = layout.minimumCases[s]
                let drop = minimum > 0 && orders[s][tau] - 1 < minimum ? orders[s][tau] : 1
                orders[s][tau] -= drop
                spend -= drop * caseCost(s)
            }
        }
        for (supplier, flags) in layout.supplierColumns {
            let minimum = request.supplierMinimums[supplier] ?? 0
            for tau in 0..<h {
                var spend = 0.0
                for s in request.skus.indices where request.skus[s].supplier == supplier && tau < orders[s].count {
                    spend += orders[s][tau] * caseCost(s)
                }
                if spend > 0 && spend < minimum {
                    for s in request.skus.indices where request.skus[s].supplier == supplier && tau < orders[s].count {
                        orders[s][tau] = 0
                    }
                    spend = 0
                }
                if tau < flags.count { start[flags[tau]] = spend > 0 ? 1 : 0 }
            }
        }
        for s in request.skus.indices {
            var cumulative = 0.0
            for tau in 0..<orders[s].count {
                cumulative += orders[s][tau]
                let column = layout.orders[s] + tau
                // Above the column's bound the plan is no plan; CBC starts from nothing then.
                if cumulative > program.columnUpper[column] { return nil }
                start[column] = cumulative
            }
            if let first = layout.flags[s] {
                for tau in 0..<orders[s].count { start[first + tau] = orders[s][tau] > 0 ? 1 : 0 }
            }
        }
        // Capacity: the rows' activity at this plan (the b columns do not enter them).
        let activity = program.rowActivity(start)
        for row in layout.rows where row.kind == "capacity" && activity[row.row] > program.rowUpper[row.row] + 1e-7 {
            return nil
        }
        return start
    }

    /// A plan's integer columns with each backlog column at the least its rows allow: b ≥ 0 and
    /// b ≥ rhs − (the row's other terms), b's coefficient being 1 in each of its rows.
    func completed(_ start: [Double], _ program: LinearProgram, _ layout: Layout) -> [Double] {
        var plan = start
        for s in request.skus.indices {
            for t in 0..<layout.horizon { plan[layout.backlog[s] + t] = 0 }
        }
        let activity = program.rowActivity(plan)
        for s in request.skus.indices {
            for t in 0..<layout.horizon {
                let column = layout.backlog[s] + t
                var value = 0.0
                for entry in Int(program.columnStarts[column])..<Int(program.columnStarts[column + 1]) {
                    let row = Int(program.rowIndices[entry])
                    value = max(value, (program.rowLower[row] - activity[row]) / program.coefficients[entry])
                }
                plan[column] = value
            }
        }
        return plan
    }
}
