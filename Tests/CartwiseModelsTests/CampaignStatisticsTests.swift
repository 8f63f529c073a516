import RealModule
import Testing

@testable import CartwiseModels

/// The readout's intervals against published values and closed forms, and their coverage by
/// simulation (A/A campaigns: no effect, so a 95 % interval should hold 0 about 95 % of the time).
@Suite struct CampaignStatisticsTests {
    /// Wilson's interval for 10 of 100 at 95 %: 0.0552 to 0.1744 (Newcombe 1998, Table I's method 3).
    @Test func wilsonMatchesThePublishedInterval() {
        let (lower, upper) = ProportionInterval.wilson(successes: 10, trials: 100, level: 0.95)
        #expect(abs(lower - 0.0552) < 5e-5)
        #expect(abs(upper - 0.1744) < 5e-5)
        // No responders still gives an interval above zero; no trials, the whole range.
        #expect(ProportionInterval.wilson(successes: 0, trials: 50, level: 0.95).upper > 0.05)
        #expect(ProportionInterval.wilson(successes: 0, trials: 0, level: 0.95) == (0, 1))
    }

    /// Newcombe's example (1998, Table II (a)): 56/70 against 48/80, method 10: 0.0524 to 0.3339.
    @Test func newcombeMatchesHisExample() {
        let (lower, upper) = ProportionInterval.newcombe(first: (56, 70), second: (48, 80), level: 0.95)
        #expect(abs(lower - 0.0524) < 5e-5)
        #expect(abs(upper - 0.3339) < 5e-5)
    }

    /// Katz's interval and the pooled z test on the same example, by their closed forms worked by
    /// hand: RR 4/3, se √(1/56 − 1/70 + 1/48 − 1/80) = 0.10911, so 1.0764 to 1.6512; z = 2.6502,
    /// p = 0.00805.
    @Test func ratioAndPValueMatchTheirClosedForms() throws {
        let ratio = try #require(ProportionInterval.ratio(first: (56, 70), second: (48, 80), level: 0.95))
        #expect(abs(ratio.estimate - 4.0 / 3) < 1e-12)
        #expect(abs(ratio.lower - 1.0764) < 5e-4)
        #expect(abs(ratio.upper - 1.6512) < 5e-4)
        #expect(abs(ProportionInterval.pValue(first: (56, 70), second: (48, 80)) - 0.00805) < 5e-5)
        #expect(ProportionInterval.ratio(first: (0, 70), second: (48, 80), level: 0.95) == nil)
    }

    @Test func intervalsWidenWithTheLevel() {
        var widths: [Double] = []
        for level in [0.5, 0.8, 0.95, 0.99] {
            let (lower, upper) = ProportionInterval.newcombe(first: (120, 1000), second: (100, 1000), level: level)
            widths.append(upper - lower)
        }
        #expect(widths == widths.sorted() && Set(widths).count == widths.count)
    }

    /// 2,000 A/A comparisons of 1,000 customers an arm at a 10 % response rate, and of their
    /// revenue (nine in ten spend nothing, the rest an exponential amount): the 95 % intervals
    /// of the lift and of the revenue difference each hold 0 in 93-97 % of them, and the 80 %
    /// intervals in 77-83 %.
    @Test func aaIntervalsCoverAsTheirLevelSays() {
        var random = SeededRandom(seed: 7)
        let runs = 2_000
        var covered95 = 0
        var covered80 = 0
        var revenueCovered = 0
        for _ in 0..<runs {
            var responders = (0, 0)
            var revenue = (MeanComparison(), MeanComparison())
            for customer in 0..<2_000 {
                let responded = random.unit() < 0.1
                let amount = random.unit() < 0.1 ? -50 * Double.log(1 - random.unit()) : 0
                if customer % 2 == 0 {
                    responders.0 += responded ? 1 : 0
                    revenue.0.add(amount)
                } else {
                    responders.1 += responded ? 1 : 0
                    revenue.1.add(amount)
                }
            }
            let wide = ProportionInterval.newcombe(
                first: (responders.0, 1000),
                second: (responders.1, 1000),
                level: 0.95
            )
            let narrow = ProportionInterval.newcombe(
                first: (responders.0, 1000),
                second: (responders.1, 1000),
                level: 0.8
            )
            if wide.lower <= 0 && 0 <= wide.upper { covered95 += 1 }
            if narrow.lower <= 0 && 0 <= narrow.upper { covered80 += 1 }
            let difference = revenue.0.difference(from: revenue.1, level: 0.95)
            if difference.lower <= 0 && 0 <= difference.upper { revenueCovered += 1 }
        }
        let share95 = Double(covered95) / Double(runs)
        let share80 = Double(covered80) / Double(runs)
        let revenueShare = Double(revenueCovered) / Double(runs)
        #expect(share95 > 0.93 && share95 < 0.97, "95 % interval covered \(share95)")
        #expect(share80 > 0.77 && share80 < 0.83, "80 % interval covered \(share80)")
        #expect(revenueShare > 0.93 && revenueShare < 0.97, "revenue interval covered \(revenueShare)")
    }

    /// Welch's difference against its closed form on two small groups.
    @Test func meanDifferenceMatchesWelchsStandardError() {
        var first = MeanComparison()
        var second = MeanComparison()
        for value in [1.0, 2, 3, 4] { first.add(value) }
        for value in [2.0, 4, 6] { second.add(value) }
        // Means 2.5 and 4; variances 5/3 and 4: se = √(5/12 + 4/3) = 1.32288.
        let (estimate, lower, upper) = first.difference(from: second, level: 0.95)
        #expect(abs(estimate + 1.5) < 1e-12)
        #expect(abs((upper - lower) / 2 - 1.959964 * 1.322876) < 1e-5)
    }

    /// The hash split holds out its share, gives the same answer every time, and two
    /// campaigns' splits are independent.
    @Test func hashAssignmentIsStableAndUnbiased() {
        var control = 0
        var both = 0
        let customers = 100_000
        for index in 0..<customers {
            let id = "customer-\(index)"
            let first = CampaignAssignment.isControl(campaign: "spring", customer: id, controlShare: 0.2, seed: 0)
            let second = CampaignAssignment.isControl(campaign: "summer", customer: id, controlShare: 0.2, seed: 0)
            if first { control += 1 }
            if first && second { both += 1 }
            #expect(first == CampaignAssignment.isControl(campaign: "spring", customer: id, controlShare: 0.2, seed: 0))
        }
        #expect(abs(Double(control) / Double(customers) - 0.2) < 0.005)
        #expect(abs(Double(both) / Double(customers) - 0.04) < 0.003)
        // Another seed reshuffles the same campaign.
        let reseeded = (0..<1000).filter {
            CampaignAssignment.isControl(campaign: "spring", customer: "customer-\($0)", controlShare: 0.5, seed: 0)
                != CampaignAssignment.isControl(
                    campaign: "spring",
                    customer: "customer-\($0)",
                    controlShare: 0.5,
                    seed: 1
                )
        }
        #expect(reseeded.count > 400 && reseeded.count < 600)
    }
}
