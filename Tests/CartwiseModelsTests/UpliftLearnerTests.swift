import Testing

@testable import CartwiseModels

/// Both learners on a randomised campaign whose effect grows with one feature: control
/// customers respond at 10 %, treated ones at 10 % + 20 % × x. A second feature is noise.
@Suite struct UpliftLearnerTests {
    static func campaign(rows count: Int, seed: UInt64) -> (rows: [[Double]], treated: [Bool], responded: [Bool]) {
        var random = SeededRandom(seed: seed)
        var rows: [[Double]] = []
        var treated: [Bool] = []
        var responded: [Bool] = []
        for _ in 0..<count {
            let x = random.unit()
            let noise = random.unit()
            let contacted = random.unit() < 0.5
            let p = 0.1 + (contacted ? 0.2 * x : 0)
            rows.append([x, noise])
            treated.append(contacted)
            responded.append(random.unit() < p)
        }
        return (rows, treated, responded)
    }

    @Test(arguments: UpliftModel.Learner.allCases)
    func upliftFollowsTheEffect(_ learner: UpliftModel.Learner) throws {
        let data = Self.campaign(rows: 20_000, seed: 3)
        var parameters = UpliftLearner.Parameters()
        parameters.learner = learner
        parameters.bags = 4
        let model = try UpliftLearner.train(
            rows: data.rows,
            treated: data.treated,
            responded: data.responded,
            parameters: parameters
        )
        let low = model.predict([0.1, 0.5])
        let high = model.predict([0.9, 0.5])
        // True uplift 0.02 and 0.18; the control response 0.1 everywhere.
        #expect(abs(low.uplift - 0.02) < 0.05, "low \(low)")
        #expect(abs(high.uplift - 0.18) < 0.05, "high \(high)")
        #expect(abs(low.control - 0.1) < 0.03 && abs(high.control - 0.1) < 0.03)
        #expect(abs(high.uplift - (high.treated - high.control)) < 1e-12)
        // The noise feature barely moves it.
        #expect(abs(model.predict([0.9, 0.05]).uplift - model.predict([0.9, 0.95]).uplift) < 0.05)
    }

    @Test func tooFewExposuresInAnArmIsAnError() {
        let data = Self.campaign(rows: 200, seed: 1)
        let treated = data.treated.map { _ in true }
        #expect(throws: UpliftError.tooFewExposures(treated: 200, control: 0, needed: 50)) {
            try UpliftLearner.train(rows: data.rows, treated: treated, responded: data.responded)
        }
    }

    /// The same data and seed give the same model; the bags run in any order.
    @Test func trainingIsRepeatable() throws {
        let data = Self.campaign(rows: 4_000, seed: 5)
        var parameters = UpliftLearner.Parameters()
        parameters.bags = 3
        let first = try UpliftLearner.train(
            rows: data.rows,
            treated: data.treated,
            responded: data.responded,
            parameters: parameters
        )
        let reversed: UpliftLearner.Executor = { count, job in
            var out = [GradientBoostedTrees?](repeating: nil, count: count)
            for index in (0..<count).reversed() { out[index] = job(index) }
            return out.map { $0! }
        }
        let second = try UpliftLearner.train(
            rows: data.rows,
            treated: data.treated,
            responded: data.responded,
            parameters: parameters,
            parallel: reversed
        )
        #expect(first == second)
    }

    /// Early stopping on pure noise keeps few trees; on signal, more.
    @Test func earlyStoppingStopsOnNoise() {
        var random = SeededRandom(seed: 11)
        var column: [Double] = []
        var noise: [Bool] = []
        var signal: [Bool] = []
        for _ in 0..<6_000 {
            let x = random.unit()
            column.append(x)
            noise.append(random.unit() < 0.3)
            signal.append(random.unit() < 0.1 + 0.6 * x)
        }
        func trees(_ labels: [Bool]) -> Int {
            GradientBoostedTrees.train(
                columns: [Array(column[..<5000])],
                labels: Array(labels[..<5000]),
                validationRows: column[5000...].map { [$0] },
                validationLabels: Array(labels[5000...]),
                parameters: .init(learningRate: 0.1, iterations: 500, maxLeafNodes: 3),
                patience: 10
            ).trees.count
        }
        #expect(trees(noise) < 15)
        #expect(trees(signal) > 20)
    }
}
