import CartwiseModels
import CartwiseSolver
import HTTPCore

/// The plan's answer: orders, expected service and cost from the exact normal loss at the
/// planned supply, spend, and each coupling constraint with its relaxation price.
extension ReplenishmentPlanner {
    func answer(
        _ program: LinearProgram,
        _ layout: Layout,
        plan: ProgramSolution,
        lp: ProgramSolution
    ) -> [UInt8] {
        let h = layout.horizon
        let entry0 = entries[0]
        var out: [UInt8] = []
        out.reserveCapacity(256 + request.skus.count * 64 * max(h, 1))
        // Cost = −objective + Σ h (start − μ_t): the substituted supply's constant part.
        let constant = (0..<request.skus.count).reduce(0.0) { total, s in
            total + layout.holding[s] * layout.mean[s].reduce(0) { $0 + layout.start[s] - $1 }
        }
        let cost = -plan.objective + constant
        // The best the search proved (maximising: an upper bound on the objective), never
        // weaker than the relaxation's.
        let proved = min(lp.objective, max(plan.bound ?? lp.objective, plan.objective))
        let bound = -proved + constant
        out +=
            #"{"status":"\#(plan.status == .optimal ? "optimal" : "stopped")","relaxation":\#(request.relaxation)"#.utf8
        out += #","frequency":"\#(entry0.frequency.rawValue)","horizon":\#(h)"#.utf8
        out += #","objective":"#.utf8
        JSONWriter.append(cost, to: &out)
        out += #","lower_bound":"#.utf8
        JSONWriter.append(bound, to: &out)
        // The program's own value, as the MPS export minimises it (another solver's optimum of
        // that file compares with this).
        out += #","program_objective":"#.utf8
        JSONWriter.append(-plan.objective, to: &out)
        out += #","gap":"#.utf8
        JSONWriter.append(abs(cost) > 0 ? max(0, (cost - bound) / abs(cost)) : 0, to: &out)
        var spend = [Double](repeating: 0, count: h)
        var totals = (holding: 0.0, shortage: 0.0, short: 0.0, demand: 0.0)
        out += #","skus":["#.utf8
        for (s, sku) in request.skus.enumerated() {
            if s > 0 { out.append(UInt8(ascii: ",")) }
            let entry = entries[s]
            out += #"{"item":"#.utf8
            JSONString.append(sku.item, to: &out)
            out += #","warehouse":"#.utf8
            JSONString.append(sku.warehouse, to: &out)
            out += #","orders":["#.utf8
            var first = true
            for tau in 0..<layout.orderPeriods[s] {
                let cumulative = plan.columns[layout.orders[s] + tau]
                let cases = cumulative - (tau > 0 ? plan.columns[layout.orders[s] + tau - 1] : 0)
                guard cases > 1e-9 else { continue }
                let units = cases * Double(sku.casePack)
                spend[tau] += units * sku.unitCost
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out += #"{"t":"#.utf8
                out += entry.jsonLabel(step: tau)
                out += #","arrives":"#.utf8
                out += entry.jsonLabel(step: tau + sku.leadTime)
                out += #","cases":"#.utf8
                JSONWriter.append(Self.round(cases), to: &out)
                out += #","units":"#.utf8
                JSONWriter.append(Self.round(units), to: &out)
                out += #","cost":"#.utf8
                JSONWriter.append(Self.round(units * sku.unitCost), to: &out)
                out += "}".utf8
            }
            // Exact expectations at the planned supply: backlog, units short when demanded,
            // stock on hand.
            var holdingCost = 0.0
            var shortageCost = 0.0
            var short = 0.0
            var previous = 0.0
            var cycle = 1.0
            for t in 0..<h {
                let supply =
                    layout.start[s]
                    + (t >= layout.lead[s]
                        ? layout.casePack[s] * plan.columns[layout.orders[s] + t - layout.lead[s]] : 0)
                let mean = layout.mean[s][t]
                let sd = layout.sd[s][t]
                let backlog = Self.loss(supply, mean, sd)
                let earlier = t > 0 ? Self.loss(supply, layout.mean[s][t - 1], layout.sd[s][t - 1]) : 0
                short += max(0, backlog - earlier)
                holdingCost += layout.holding[s] * (supply - mean + backlog)
                shortageCost += layout.shortage[s] * backlog
                previous = backlog
                cycle = sd > 0 ? NormalDistribution.cdf((supply - mean) / sd) : (supply >= mean ? 1 : 0)
            }
            let demand = layout.mean[s][h - 1]
            totals.holding += holdingCost
            totals.shortage += shortageCost
            totals.short += short
            totals.demand += demand
            out += #"],"expected_demand":"#.utf8
            JSONWriter.append(Self.round(demand), to: &out)
            out += #","expected_fill_rate":"#.utf8
            JSONWriter.append(demand > 0 ? Self.round(max(0, 1 - short / demand)) : 1, to: &out)
            out += #","service_level_at_horizon":"#.utf8
            JSONWriter.append(Self.round(cycle), to: &out)
            out += #","expected_backlog_at_horizon":"#.utf8
            JSONWriter.append(Self.round(previous), to: &out)
            out += #","expected_cost":"#.utf8
            JSONWriter.append(Self.round(holdingCost + shortageCost), to: &out)
            out += #","model":"#.utf8
            JSONString.append(entry.forecast.model, to: &out)
            out += "}".utf8
        }
        out += #"],"expected":{"cost":"#.utf8
        JSONWriter.append(Self.round(totals.holding + totals.shortage), to: &out)
        out += #","holding_cost":"#.utf8
        JSONWriter.append(Self.round(totals.holding), to: &out)
        out += #","shortage_cost":"#.utf8
        JSONWriter.append(Self.round(totals.shortage), to: &out)
        out += #","fill_rate":"#.utf8
        JSONWriter.append(totals.demand > 0 ? Self.round(max(0, 1 - totals.short / totals.demand)) : 1, to: &out)
        out += #","demand":"#.utf8
        JSONWriter.append(Self.round(totals.demand), to: &out)
        out += #"},"spend":["#.utf8
        for (t, value) in spend.enumerated() {
            if t > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"t":"#.utf8
            out += entry0.jsonLabel(step: t)
            out += #","cost":"#.utf8
            JSONWriter.append(Self.round(value), to: &out)
            out += "}".utf8
        }
        out += #"],"constraints":["#.utf8
        let activity = plan.rowActivity
        var caseCost = Double.infinity
        var caseVolume = Double.infinity
        for sku in request.skus {
            caseCost = min(caseCost, sku.unitCost * Double(sku.casePack))
            caseVolume = min(caseVolume, sku.volume * Double(sku.casePack))
        }
        let steps: [String: Double] = ["budget": caseCost, "capacity": caseVolume, "supplier_minimum": caseCost]
        for (index, row) in layout.rows.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let used: Double
            let limit: Double
            switch row.kind {
            case "supplier_minimum":
                // Spend with the supplier that period, against its minimum.
                used = activity[row.row] + row.limit * (layout.supplierFlag[row.row].map { plan.columns[$0] } ?? 0)
                limit = row.limit
            default:
                used = activity[row.row] - (program.rowUpper[row.row] - row.limit)
                limit = row.limit
            }
            let slack = row.upper ? limit - used : used - limit
            // Binding: not even the smallest step left (one case, for an integer plan).
            let step =
                request.relaxation ? 1e-6 * max(1, abs(limit)) : (steps[row.kind] ?? 0) + 1e-9 * max(1, abs(limit))
            let binding = row.kind == "supplier_minimum" ? (used > 0 && slack < step) : slack < step
            out += #"{"constraint":"\#(row.kind)""#.utf8
            if let name = row.name {
                out += #","\#(row.kind == "capacity" ? "warehouse" : "supplier")":"#.utf8
                JSONString.append(name, to: &out)
            }
            out += #","t":"#.utf8
            out += entry0.jsonLabel(step: row.period)
            out += #","limit":"#.utf8
            JSONWriter.append(Self.round(limit), to: &out)
            out += #","used":"#.utf8
            JSONWriter.append(Self.round(used), to: &out)
            out += #","binding":\#(binding),"value_of_relaxing":"#.utf8
            // The relaxation's price of the row: what one more unit of budget or capacity
            // (one less of a supplier's minimum) would save in expected cost.
            JSONWriter.append(Self.round(abs(lp.rowPrices?[row.row] ?? 0)), to: &out)
            out += "}".utf8
        }
        out += #"],"solve_seconds":"#.utf8
        JSONWriter.append(Self.round(lp.seconds + (request.relaxation ? 0 : plan.seconds)), to: &out)
        out += #","columns":\#(program.columnCount),"rows":\#(program.rowCount)}"#.utf8
        return out
    }

    /// E[(D − S)+] for a normal D.
    static func loss(_ supply: Double, _ mean: Double, _ sd: Double) -> Double {
        guard sd > 0 else { return max(0, mean - supply) }
        return sd * NormalDistribution.loss((supply - mean) / sd)
    }

    static func round(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
}
