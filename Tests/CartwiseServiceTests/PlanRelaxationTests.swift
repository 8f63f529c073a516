import CartwiseModels
import CartwiseSolver
import Testing

@testable import CartwiseService

/// The plan's relaxation solved by parts (sample, core, check) against CLP on the whole
/// program, on plans large enough to take that path.
@Suite struct PlanRelaxationTests {
    static func plan(candidates: Int, seed: UInt64) throws -> PlanRequest {
        var random = SeededRandom(seed: seed)
        var body =
            #"{"budget":\#(Double(candidates) * 0.3),"offers":[{"id":"email","channel":"email","cost":0.05,"redemption_cost":4},"#
            + #"{"id":"sms","channel":"sms","cost":0.12,"redemption_cost":6},{"id":"mail","channel":"mail","cost":0.9,"redemption_cost":8,"min":\#(candidates / 200)}],"#
            + #""channel_caps":{"sms":\#(candidates / 10),"mail":\#(candidates / 20)},"candidates":["#
        for index in 0..<candidates {
            if index > 0 { body += "," }
            let value = 20 + 80 * random.unit()
            let uplift = (0..<3).map { offer in -0.02 + 0.06 * random.unit() + 0.01 * Double(offer) }
            body +=
                #"{"customer":"c\#(index)","value":\#(value),"uplift":{"email":\#(uplift[0]),"sms":\#(uplift[1]),"mail":\#(uplift[2])}}"#
        }
        body += "]}"
        return try PlanRequest(body: Array(body.utf8))
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func partsGiveTheWholeRelaxation(seed: UInt64) throws {
        let request = try Self.plan(candidates: 12_000, seed: seed)
        let formulation = try CampaignPlanner(request: request, seconds: 60, relativeGap: 1e-7).formulate()
        #expect(formulation.program.columnCount >= PlanRelaxation.wholeBelow)
        let parts = try PlanRelaxation(formulation: formulation).solve(options: .init())
        var whole = formulation.program
        whole.integer = false
        let reference = try CoinSolver.solve(whole)
        #expect(parts.status == .optimal && reference.status == .optimal)
        #expect(abs(parts.objective - reference.objective) <= 1e-9 * abs(reference.objective))
        // The budget's shadow price: the same marginal value of budget either way.
        let price = try #require(parts.rowPrices?[formulation.budgetRow])
        let referencePrice = try #require(reference.rowPrices?[formulation.budgetRow])
        #expect(abs(price - referencePrice) <= 1e-6 * max(1, abs(referencePrice)))
        // And the MIP from it is feasible and within the gap of the bound.
        let mip = try CoinSolver.solve(formulation.program, from: parts, options: .init(relativeGap: 1e-7))
        #expect(CoinSolver.isFeasible(formulation.program, mip.columns))
        #expect(reference.objective - mip.objective <= 1e-7 * abs(reference.objective) + 1e-9)
    }
}
