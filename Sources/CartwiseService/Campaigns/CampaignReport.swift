package import CartwiseModels
import HTTPCore

/// `GET /campaigns/{id}/report`: per arm the customers, responders, response rate and revenue
/// in the attribution window; each treated arm (and, with several, all of them pooled) against
/// control: the lift with Newcombe's interval, the relative lift with Katz's, the incremental
/// responses, revenue and profit with Welch's, the p-value and whether it is significant yet;
/// the same pooled comparison per segment of the customer model.
package struct CampaignReport: Sendable {
    /// One arm's tally.
    package struct Tally: Sendable {
        package var responders = 0
        package var revenue = MeanComparison()
        package var customers: Int { revenue.count }
        package var rate: Double { customers > 0 ? Double(responders) / Double(customers) : 0 }

        mutating func add(responded: Bool, revenue amount: Double) {
            if responded { responders += 1 }
            revenue.add(amount)
        }

        mutating func merge(_ other: Tally) {
            responders += other.responders
            revenue.merge(other.revenue)
        }
    }

    package var campaign: Campaign
    package var arms: [String]
    package var tallies: [Tally]
    /// Pooled treated and control tallies per segment id (with its name).
    package var segments: [(id: String, name: String, treated: Tally, control: Tally)]
    package var asOf: Int64
    /// Exposures whose window has not closed by `asOf`: their customers may still respond.
    package var openWindows: Int
    /// Exposures whose arm differs from the campaign's hash split.
    package var offSplit: Int
    package var switchedArms: Int
    package var level: Double

    /// Counts every exposure's response and revenue in its window.
    /// - Parameters:
    ///   - campaign: the campaign.
    ///   - contents: the ledger's copy.
    ///   - level: the intervals' confidence level.
    ///   - segmentOf: a customer's segment id and name in the customer model, if any.
    /// - Returns: the report.
    package static func build(
        _ campaign: Campaign,
        contents: CampaignLedger.Contents,
        level: Double,
        segmentOf: (String) -> (id: String, name: String)?
    ) -> CampaignReport {
        let exposures = contents.exposures[campaign.id] ?? CampaignLedger.Exposures()
        let asOf = contents.latest
        var tallies = [Tally](repeating: Tally(), count: exposures.arms.count)
        var bySegment: [String: (name: String, treated: Tally, control: Tally)] = [:]
        var openWindows = 0
        var offSplit = 0
        let window = campaign.attributionMilliseconds
        for (customer, exposure) in exposures.byCustomer {
            let end = exposure.time + window
            if end > asOf { openWindows += 1 }
            let outcomes = contents.outcomes[customer]
            var responded = false
            var revenue = 0.0
            if let outcomes {
                for (time, amount) in zip(outcomes.purchaseTimes, outcomes.purchaseRevenue)
                where time >= exposure.time && time < end {
                    revenue += amount
                    responded = responded || campaign.outcome == .purchase
                }
                if campaign.outcome == .visit {
                    responded = outcomes.visits.contains { $0 >= exposure.time && $0 < end }
                }
            }
            let arm = Int(exposure.arm)
            tallies[arm].add(responded: responded, revenue: revenue)
            let isControl = exposures.arms[arm] == Campaign.controlArm
            if isControl != campaign.isControl(customer) { offSplit += 1 }
            if let segment = segmentOf(customer) {
                var entry = bySegment[segment.id] ?? (segment.name, Tally(), Tally())
                if isControl {
                    entry.control.add(responded: responded, revenue: revenue)
                } else {
                    entry.treated.add(responded: responded, revenue: revenue)
                }
                bySegment[segment.id] = entry
            }
        }
        return CampaignReport(
            campaign: campaign,
            arms: exposures.arms,
            tallies: tallies,
            segments: bySegment.sorted { (Int($0.key) ?? .max, $0.key) < (Int($1.key) ?? .max, $1.key) }.map {
                ($0.key, $0.value.name, $0.value.treated, $0.value.control)
            },
            asOf: asOf,
            openWindows: openWindows,
            offSplit: offSplit,
            switchedArms: exposures.switchedArms,
            level: level
        )
    }

    /// The report as JSON.
    package func encode() -> [UInt8] {
        var out: [UInt8] = Array("{\"campaign\":".utf8)
        JSONString.append(campaign.id, to: &out)
        out += ",\"outcome\":\"\(campaign.outcome.rawValue)\",\"attribution_days\":\(campaign.attributionDays)".utf8
        out += ",\"as_of\":".utf8
        out += (asOf == .min ? "null" : "\"" + Timestamp.format(asOf) + "\"").utf8
        out += ",\"level\":\(JSONWriter.number(level)),\"final\":\(openWindows == 0 && asOf >= campaign.end)".utf8
        out +=
            ",\"open_windows\":\(openWindows),\"off_split_exposures\":\(offSplit),\"switched_arms\":\(switchedArms)"
            .utf8
        out += ",\"arms\":[".utf8
        for (position, arm) in arms.enumerated() {
            if position > 0 { out.append(44) }
            let tally = tallies[position]
            let (lower, upper) = ProportionInterval.wilson(
                successes: tally.responders,
                trials: tally.customers,
                level: level
            )
            out += "{\"arm\":".utf8
            JSONString.append(arm, to: &out)
            out += ",\"control\":\(arm == Campaign.controlArm),\"customers\":\(tally.customers)".utf8
            out += ",\"responders\":\(tally.responders),\"response_rate\":\(JSONWriter.number(tally.rate))".utf8
            out += ",\"response_rate_interval\":[\(JSONWriter.number(lower)),\(JSONWriter.number(upper))]".utf8
            out += ",\"revenue\":\(JSONWriter.number(tally.revenue.sum))".utf8
            out += ",\"revenue_per_customer\":\(JSONWriter.number(tally.revenue.mean))}".utf8
        }
        out += "],\"comparisons\":[".utf8
        let control = arms.firstIndex(of: Campaign.controlArm)
        if let control {
            let treated = arms.indices.filter { $0 != control }
            var written = 0
            for arm in treated {
                if written > 0 { out.append(44) }
                appendComparison(name: arms[arm], treated: tallies[arm], control: tallies[control], to: &out)
                written += 1
            }
            if treated.count > 1 {
                var pooled = Tally()
                for arm in treated { pooled.merge(tallies[arm]) }
                out.append(44)
                appendComparison(name: "all_treated", treated: pooled, control: tallies[control], to: &out)
            }
        }
        out += "],\"segments\":[".utf8
        for (position, segment) in segments.enumerated() {
            if position > 0 { out.append(44) }
            out += "{\"segment\":".utf8
            JSONString.append(segment.id, to: &out)
            out += ",\"name\":".utf8
            JSONString.append(segment.name, to: &out)
            out += ",\"comparison\":".utf8
            appendComparison(name: "all_treated", treated: segment.treated, control: segment.control, to: &out)
            out += "}".utf8
        }
        out +=
            "],\"methods\":{\"response_rate_interval\":\"Wilson score\",\"lift\":\"Newcombe hybrid score (method 10)\""
            .utf8
        out +=
            ",\"relative_lift\":\"Katz log ratio\",\"incremental_revenue\":\"difference of means, Welch standard error, normal\""
            .utf8
        out += ",\"p_value\":\"two-sided pooled two-proportion z test\"}}".utf8
        return out
    }

    private func appendComparison(name: String, treated: Tally, control: Tally, to out: inout [UInt8]) {
        let first = (treated.responders, treated.customers)
        let second = (control.responders, control.customers)
        let lift = treated.rate - control.rate
        let (lower, upper) = ProportionInterval.newcombe(first: first, second: second, level: level)
        let ratio = ProportionInterval.ratio(first: first, second: second, level: level)
        let revenue = treated.revenue.difference(from: control.revenue, level: level)
        let contacted = Double(treated.customers)
        let pValue = ProportionInterval.pValue(first: first, second: second)
        let enough = treated.customers > 0 && control.customers > 0
        // The contact cost is certain; the offer's cost falls on the treated responders.
        let cost =
            contacted * campaign.costPerContact
            + (campaign.outcome == .purchase ? Double(treated.responders) * campaign.offerCost : 0)
        out += "{\"arm\":".utf8
        JSONString.append(name, to: &out)
        out += ",\"customers\":\(treated.customers),\"control_customers\":\(control.customers)".utf8
        out += ",\"lift\":{\"absolute\":\(JSONWriter.number(enough ? lift : .nan))".utf8
        out +=
            ",\"interval\":[\(JSONWriter.number(enough ? lower : .nan)),\(JSONWriter.number(enough ? upper : .nan))]}"
            .utf8
        out += ",\"relative_lift\":".utf8
        if let ratio {
            out += "{\"estimate\":\(JSONWriter.number(ratio.estimate - 1))".utf8
            out += ",\"interval\":[\(JSONWriter.number(ratio.lower - 1)),\(JSONWriter.number(ratio.upper - 1))]}".utf8
        } else {
            out += "null".utf8
        }
        out += ",\"incremental_responses\":{\"estimate\":\(JSONWriter.number(enough ? lift * contacted : .nan))".utf8
        out +=
            ",\"interval\":[\(JSONWriter.number(enough ? lower * contacted : .nan)),\(JSONWriter.number(enough ? upper * contacted : .nan))]}"
            .utf8
        out +=
            ",\"incremental_revenue\":{\"estimate\":\(JSONWriter.number(enough ? revenue.estimate * contacted : .nan))"
            .utf8
        out +=
            ",\"interval\":[\(JSONWriter.number(enough ? revenue.lower * contacted : .nan)),\(JSONWriter.number(enough ? revenue.upper * contacted : .nan))]}"
            .utf8
        out += ",\"campaign_cost\":\(JSONWriter.number(cost))".utf8
        out += ",\"incremental_profit\":\(JSONWriter.number(enough ? revenue.estimate * contacted - cost : .nan))".utf8
        out += ",\"p_value\":\(JSONWriter.number(enough ? pValue : .nan))".utf8
        out += ",\"significant\":\(enough && pValue < 1 - level)}".utf8
    }
}
