import CartwiseSolver
import HTTPCore

/// The budget plan as a mixed-integer program (docs/campaigns.md, "The plan"):
///
///     maximise   Σ_c Σ_o p_co x_co              p_co = u_co·v_c − cost_o − r_o·q_co
///     subject to Σ_o x_co ≤ n_c                 (each candidate: at most one offer per customer)
///                Σ_c Σ_o s_co x_co ≤ B          s_co = cost_o + r_o·q_co   (the budget)
///                Σ_c Σ_{o ∈ h} x_co ≤ cap_h      (each capped channel h)
///                min_o ≤ Σ_c x_co ≤ max_o        (each offer with limits)
///                x_co ∈ {0, 1, …, n_c}
///
/// with u the predicted uplift, v the value of a response, q the response probability when
/// contacted (redemptions cost r each) and n the customers a candidate stands for. A column
/// whose profit is not positive is left out unless its offer has a minimum: with only upper
/// limits, a plan never gains by using it. The LP relaxation (CLP) gives the bound and the
/// shadow prices: the budget's is the marginal value of one more unit of budget.
package struct CampaignPlanner: Sendable {
    package var request: PlanRequest
    package var seconds: Double
    /// The plan is proved within this fraction of the best possible objective.
    package var relativeGap: Double

    package init(request: PlanRequest, seconds: Double, relativeGap: Double) {
        self.request = request
        self.seconds = seconds
        self.relativeGap = relativeGap
    }

    /// A constraint row of the program, for the answer.
    struct Row {
        var name: String
        var lower: Double
        var upper: Double
    }

    /// The program and what each column and row stands for.
    struct Formulation {
        var program: LinearProgram
        /// Per column: candidate, offer, profit and spend per customer.
        var columns: [(candidate: Int32, offer: Int32, profit: Double, spend: Double)]
        var rows: [Row]
        var budgetRow: Int
        /// Rows before the candidates' own: the budget, the caps and the offers' limits.
        var couplingRows: Int
        /// Each candidate's columns (consecutive), and its row (-1 when it has one column or none).
        var candidateColumns: [Range<Int>]
        var candidateRow: [Int]
    }

    /// Builds the program.
    /// - Throws: ``PlanError/infeasible(constraint:detail:)`` when a simple bound already shows
    ///   the minimums cannot be met.
    func formulate() throws(PlanError) -> Formulation {
        let offers = request.offers
        var rows: [Row] = []
        let budgetRow = 0
        rows.append(Row(name: "budget", lower: -.infinity, upper: request.budget))
        var channelRow: [String: Int] = [:]
        for channel in request.channelCaps.keys.sorted() {
            channelRow[channel] = rows.count
            rows.append(
                Row(name: "channel_caps." + channel, lower: -.infinity, upper: Double(request.channelCaps[channel]!))
            )
        }
        var offerRow: [Int?] = []
        for offer in offers {
            if offer.minimum > 0 || offer.maximum != nil {
                offerRow.append(rows.count)
                rows.append(
                    Row(
                        name: "offers." + offer.id,
                        lower: offer.minimum > 0 ? Double(offer.minimum) : -.infinity,
                        upper: offer.maximum.map(Double.init) ?? .infinity
                    )
                )
            } else {
                offerRow.append(nil)
            }
        }
        try checkMinimums()
        let couplingRows = rows.count
        var columns: [(candidate: Int32, offer: Int32, profit: Double, spend: Double)] = []
        var candidateColumns: [Range<Int>] = []
        var candidateRows: [Int] = []
        candidateColumns.reserveCapacity(request.candidates.count)
        for (index, candidate) in request.candidates.enumerated() {
            let first = columns.count
            for entry in candidate.uplift {
                let offer = offers[entry.offer]
                let spend = offer.cost + offer.redemptionCost * entry.response
                let profit = entry.uplift * candidate.value - spend
                if profit <= 0 && offer.minimum == 0 { continue }
                columns.append((Int32(index), Int32(entry.offer), profit, spend))
            }
            candidateColumns.append(first..<columns.count)
            // A candidate with one column needs no row: its bound is the column's upper bound.
            if columns.count - first > 1 {
                candidateRows.append(rows.count)
                rows.append(Row(name: "candidates[\(index)]", lower: -.infinity, upper: Double(candidate.count)))
            } else {
                candidateRows.append(-1)
            }
        }
        var candidateRow = [Int](repeating: -1, count: columns.count)
        for (candidate, range) in candidateColumns.enumerated() where candidateRows[candidate] >= 0 {
            for column in range { candidateRow[column] = candidateRows[candidate] }
        }
        var program = LinearProgram(rowLower: rows.map(\.lower), rowUpper: rows.map(\.upper), integer: true)
        program.columnStarts.reserveCapacity(columns.count + 1)
        program.rowIndices.reserveCapacity(columns.count * 4)
        program.coefficients.reserveCapacity(columns.count * 4)
        for (position, column) in columns.enumerated() {
            let offer = offers[Int(column.offer)]
            var entries: [(row: Int, value: Double)] = [(budgetRow, column.spend)]
            if let row = channelRow[offer.channel] { entries.append((row, 1)) }
            if let row = offerRow[Int(column.offer)] { entries.append((row, 1)) }
            if candidateRow[position] >= 0 { entries.append((candidateRow[position], 1)) }
            program.addColumn(
                objective: column.profit,
                lower: 0,
                upper: Double(request.candidates[Int(column.candidate)].count),
                entries: entries
            )
        }
        return Formulation(
            program: program,
            columns: columns,
            rows: rows,
            budgetRow: budgetRow,
            couplingRows: couplingRows,
            candidateColumns: candidateColumns,
            candidateRow: candidateRows
        )
    }

    /// Bounds that prove infeasibility before the solver runs, each naming its constraint.
    private func checkMinimums() throws(PlanError) {
        let offers = request.offers
        var eligible = [Int](repeating: 0, count: offers.count)
        var spends = [[(spend: Double, count: Int)]](repeating: [], count: offers.count)
        for candidate in request.candidates {
            for entry in candidate.uplift {
                eligible[entry.offer] += candidate.count
                let offer = offers[entry.offer]
                if offer.minimum > 0 {
                    spends[entry.offer].append((offer.cost + offer.redemptionCost * entry.response, candidate.count))
                }
            }
        }
        var minimumSpend = 0.0
        for (index, offer) in offers.enumerated() where offer.minimum > 0 {
            guard eligible[index] >= offer.minimum else {
                throw .infeasible(
                    constraint: "offers[\(index)].min",
                    detail:
                        "offer '\(offer.id)' must go to at least \(offer.minimum) customers, but only \(eligible[index]) "
                        + "candidates have an uplift for it"
                )
            }
            // The cheapest customers that meet the minimum: no plan can spend less on it.
            var needed = offer.minimum
            for entry in spends[index].sorted(by: { $0.spend < $1.spend }) where needed > 0 {
                let taken = min(needed, entry.count)
                minimumSpend += entry.spend * Double(taken)
                needed -= taken
            }
        }
        for (channel, cap) in request.channelCaps {
            let minimum = offers.filter { $0.channel == channel }.reduce(0) { $0 + $1.minimum }
            if minimum > cap {
                throw .infeasible(
                    constraint: "channel_caps." + channel,
                    detail:
                        "channel '\(channel)' is capped at \(cap) contacts, below the \(minimum) its offers' minimums need"
                )
            }
        }
        if minimumSpend > request.budget * (1 + 1e-12) {
            throw .infeasible(
                constraint: "budget",
                detail:
                    "the budget \(JSONWriter.number(request.budget)) is below \(JSONWriter.number(minimumSpend, places: 2)), "
                    + "the least the offers' minimum contacts cost"
            )
        }
    }

    /// Solves the plan and encodes the answer.
    /// - Returns: the answer's JSON.
    /// - Throws: ``PlanError``.
    package func solve() throws(PlanError) -> [UInt8] {
        let formulation = try formulate()
        let options = CoinSolver.Options(seconds: seconds, relativeGap: relativeGap)
        let lp: ProgramSolution
        let mip: ProgramSolution
        do {
            lp = try PlanRelaxation(formulation: formulation).solve(options: options)
            mip = try CoinSolver.solve(formulation.program, from: lp, options: options)
        } catch {
            throw .unsolved("the solver refused the program: \(error.description)")
        }
        if mip.status == .infeasible || lp.status == .infeasible {
            throw .infeasible(
                constraint: "offers",
                detail: "the offers' minimum contacts cannot all be met within the budget, the channel caps and one "
                    + "offer per customer"
            )
        }
        guard mip.status == .optimal || (mip.status == .timeLimit && mip.columns.contains { $0 > 0 }) else {
            throw .unsolved(
                "the solver found no plan in \(JSONWriter.number(seconds)) s (\(mip.status)); campaigns.plan_seconds"
            )
        }
        return encode(formulation, mip: mip, lp: lp)
    }

    private func encode(_ formulation: Formulation, mip: ProgramSolution, lp: ProgramSolution) -> [UInt8] {
        var out: [UInt8] = Array("{\"status\":\"\(mip.status == .optimal ? "optimal" : "time_limit")\"".utf8)
        var responses = 0.0
        var spend = 0.0
        var offerTotals = [(count: Int, spend: Double, profit: Double)](
            repeating: (0, 0, 0),
            count: request.offers.count
        )
        for (position, column) in formulation.columns.enumerated() where mip.columns[position] > 0.5 {
            let count = mip.columns[position]
            let candidate = request.candidates[Int(column.candidate)]
            let entry = candidate.uplift.first { $0.offer == Int(column.offer) }!
            responses += entry.uplift * count
            spend += column.spend * count
            offerTotals[Int(column.offer)].count += Int(count)
            offerTotals[Int(column.offer)].spend += column.spend * count
            offerTotals[Int(column.offer)].profit += column.profit * count
        }
        out += ",\"objective\":\(JSONWriter.number(mip.objective)),\"budget\":\(JSONWriter.number(request.budget))".utf8
        out +=
            ",\"spend\":\(JSONWriter.number(spend)),\"expected_incremental_responses\":\(JSONWriter.number(responses))"
            .utf8
        let marginal = lp.rowPrices?[formulation.budgetRow] ?? .nan
        out += ",\"marginal_value_of_budget\":\(JSONWriter.number(marginal))".utf8
        out += ",\"lp_bound\":\(JSONWriter.number(lp.status == .optimal ? lp.objective : .nan))".utf8
        out += ",\"constraints\":[".utf8
        for (index, row) in formulation.rows.enumerated() where !row.name.hasPrefix("candidates[") {
            if index > 0 { out.append(44) }
            let used = mip.rowActivity[index]
            let price = lp.rowPrices?[index] ?? 0
            let limit = row.upper.isFinite ? row.upper : row.lower
            let slack = row.upper.isFinite ? row.upper - used : used - row.lower
            // Binding: the MIP has no room left, or the relaxation prices the constraint.
            let binding = slack <= 1e-6 * max(1, abs(limit)) || abs(price) > 1e-9
            out += "{\"constraint\":".utf8
            JSONString.append(row.name, to: &out)
            out += ",\"limit\":\(JSONWriter.number(limit)),\"used\":\(JSONWriter.number(used))".utf8
            out +=
                ",\"slack\":\(JSONWriter.number(slack)),\"binding\":\(binding),\"shadow_price\":\(JSONWriter.number(price))}"
                .utf8
        }
        out += "],\"offers\":[".utf8
        for (index, offer) in request.offers.enumerated() {
            if index > 0 { out.append(44) }
            out += "{\"id\":".utf8
            JSONString.append(offer.id, to: &out)
            out += ",\"channel\":".utf8
            JSONString.append(offer.channel, to: &out)
            out +=
                ",\"contacts\":\(offerTotals[index].count),\"spend\":\(JSONWriter.number(offerTotals[index].spend))"
                .utf8
            out += ",\"expected_profit\":\(JSONWriter.number(offerTotals[index].profit))}".utf8
        }
        out += "],\"assignments\":[".utf8
        var written = 0
        for (position, column) in formulation.columns.enumerated() where mip.columns[position] > 0.5 {
            if written > 0 { out.append(44) }
            written += 1
            let candidate = request.candidates[Int(column.candidate)]
            out += (candidate.isSegment ? "{\"segment\":" : "{\"customer\":").utf8
            JSONString.append(candidate.id, to: &out)
            out += ",\"offer\":".utf8
            JSONString.append(request.offers[Int(column.offer)].id, to: &out)
            out +=
                ",\"count\":\(Int(mip.columns[position])),\"expected_profit\":\(JSONWriter.number(column.profit))".utf8
            out += ",\"spend\":\(JSONWriter.number(column.spend))}".utf8
        }
        out += "],\"solver\":{\"name\":\"COIN-OR CBC (MIP) and CLP (LP relaxation)\"".utf8
        out += ",\"columns\":\(formulation.program.columnCount),\"rows\":\(formulation.program.rowCount)".utf8
        out +=
            ",\"seconds\":\(JSONWriter.number(mip.seconds, places: 4)),\"lp_seconds\":\(JSONWriter.number(lp.seconds, places: 4))"
            .utf8
        let bound = lp.status == .optimal ? lp.objective : Double.nan
        out += ",\"relative_gap\":\(JSONWriter.number((bound - mip.objective) / max(1, abs(bound))))".utf8
        out += ",\"relative_gap_limit\":\(JSONWriter.number(relativeGap))}}".utf8
        return out
    }
}
