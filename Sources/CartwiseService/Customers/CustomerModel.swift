package import CartwiseModels
import RealModule

/// The customer model in service: every shopper's purchase days and profile, the segments, and
/// the fitted repeat-buying and spend models. Immutable; requests read one version.
///
/// Purchase days are kept (not just the summary at the training date) so a request may ask
/// `as_of` any date: RFM, the BG/NBD summary and the segment are recomputed from the days up to
/// it, with the parameters fitted at training.
package struct CustomerModel: Sendable {
    package var ids: [String] = []
    package var index: [String: Int32] = [:]
    /// Customer i's purchase days are `days[dayStart[i]..<dayStart[i + 1]]`, ascending.
    package var dayStart: [Int32] = [0]
    package var days: [Int32] = []
    /// Spend per purchase day, aligned with `days`.
    package var amounts: [Double] = []
    package var profiles: [CustomerProfile] = []
    /// Each customer's segment (an index into `segments`), -1 for none.
    package var segmentOf: [Int8] = []
    package var segments: [CustomerSegment] = []
    /// The k-means fit, in standardised log-RFM; nil below the customers segments need.
    package var clusters: KMeans?
    /// Means and standard deviations of log1p recency, frequency and monetary.
    package var featureMeans: [Double] = [0, 0, 0]
    package var featureScales: [Double] = [1, 1, 1]
    /// The repeat-buying model (BG/NBD, MBG/NBD or Pareto/NBD, whichever predicted a held-back
    /// stretch best); nil when nobody has bought twice.
    package var purchases: (any RepeatBuyingModel)?
    package var spend: GammaGammaSpend?
    /// The last day of the data the models were fitted on (UTC days since 1970).
    package var asOf: Int32 = 0
    package var horizonDays = 365
    package var monthlyDiscount = 0.01
    /// At the defaults (as_of, horizon, discount), per customer; NaN for those without purchases.
    package var alive: [Double] = []
    package var expectedPurchases: [Double] = []
    package var expectedSpend: [Double] = []
    package var value: [Double] = []
    /// Purchasers by value, and by churn risk (value breaking ties), highest first.
    package var byValue: [Int32] = []
    package var byChurnRisk: [Int32] = []
    /// Each segment's members by value, highest first (those without a value last, by id).
    package var members: [[Int32]] = []
    /// How the repeat-buying model was chosen, for the card.
    package var selection = ""

    package init() {}

    /// The segment with id `id`.
    package func segment(id: String) -> Int? {
        segments.firstIndex { $0.id == id }
    }

    /// Customer `i`'s purchase days and their spend.
    package func purchaseDays(_ i: Int) -> (days: ArraySlice<Int32>, amounts: ArraySlice<Double>) {
        let range = Int(dayStart[i])..<Int(dayStart[i + 1])
        return (days[range], amounts[range])
    }

    /// RFM as the CDNOW scoring defines it, at `asOf`: days since the last purchase counting
    /// the as-of day (a purchase on it is 1 day ago), purchase days, and total spend.
    package struct RFM: Sendable, Equatable {
        package var recencyDays: Double
        package var frequency: Double
        package var monetary: Double
    }

    /// Customer `i`'s RFM at `asOf`, nil before their first purchase.
    package func rfm(_ i: Int, asOf: Int32) -> RFM? {
        let (days, amounts) = purchaseDays(i)
        var count = 0.0
        var total = 0.0
        var last: Int32?
        for (day, amount) in zip(days, amounts) where day <= asOf {
            count += 1
            total += amount
            last = day
        }
        guard let last else { return nil }
        return RFM(recencyDays: Double(asOf - last + 1), frequency: count, monetary: total)
    }

    /// The standardised log-RFM a segment is chosen on.
    package func features(_ rfm: RFM) -> [Double] {
        let raw = [rfm.recencyDays, rfm.frequency, max(0, rfm.monetary)]
        return (0..<3).map { (Double.log(onePlus: raw[$0]) - featureMeans[$0]) / featureScales[$0] }
    }

    /// Customer `i`'s segment at `asOf`: the one k-means gave at the model's date, the nearest
    /// centre at any other.
    package func segment(_ i: Int, asOf: Int32) -> Int? {
        if asOf == self.asOf {
            let stored = Int(segmentOf[i])
            return stored >= 0 ? stored : nil
        }
        guard let clusters, let rfm = rfm(i, asOf: asOf) else { return nil }
        return clusters.nearest(features(rfm)).cluster
    }

    /// The BG/NBD summary and the Gamma-Gamma input of customer `i` at `asOf`.
    package func summary(_ i: Int, asOf: Int32) -> (RepeatPurchases, GammaGammaSpend.Spend)? {
        let (days, amounts) = purchaseDays(i)
        guard let summary = RepeatPurchases.from(days: days, asOf: asOf) else { return nil }
        var repeatTotal = 0.0
        var repeats = 0.0
        for (day, amount) in zip(days, amounts).dropFirst() where day <= asOf {
            repeatTotal += amount
            repeats += 1
        }
        return (summary, GammaGammaSpend.Spend(purchases: repeats, average: repeats > 0 ? repeatTotal / repeats : 0))
    }

    /// Probability alive and the value figures of customer `i`, nil before their first
    /// purchase or when no repeat-buying model could be fitted.
    package func lifetime(
        _ i: Int,
        asOf: Int32,
        horizonDays: Int,
        monthlyDiscount: Double
    ) -> (alive: Double, value: LifetimeValue)? {
        guard let purchases, let (summary, spend) = summary(i, asOf: asOf) else { return nil }
        let value = LifetimeValue(
            purchases: purchases,
            spend: self.spend,
            customer: summary,
            average: spend,
            weeks: Double(horizonDays) / 7,
            monthlyDiscount: monthlyDiscount
        )
        return (purchases.probabilityAlive(summary), value)
    }
}
