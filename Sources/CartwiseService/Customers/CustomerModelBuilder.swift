package import CartwiseModels
import RealModule

/// Builds a ``CustomerModel`` from the ledger: profiles, purchase days, the repeat-buying and
/// spend fits, segments, and every customer's figures at the defaults. Pure: the same contents
/// and settings give the same model, which is what `cartwise bench customers` relies on to
/// compare the served answers with an in-process fit.
package struct CustomerModelBuilder: Sendable {
    package var settings: CustomerSettings
    /// Runs the k-means restarts (the trainer's threads; serially by default).
    package var parallel: KMeans.Executor = KMeans.serial
    /// Asked between stages and every thousand customers: a build the service no longer wants
    /// (it is stopping) ends early, and ``build(_:catalog:clock:)`` returns nil.
    package var isCancelled: @Sendable () -> Bool = { false }
    /// Customers fewer than this get no segments (k-means on a handful of points names noise).
    package static let minimumForSegments = 20
    /// Customers the silhouette is computed on when it chooses k (O(m²)).
    package static let silhouetteSample = 3_000

    /// What the build measured, for the card and the bench.
    package struct Report: Sendable {
        package var customers = 0
        package var purchasers = 0
        package var repeatBuyers = 0
        package var purchaseFitSeconds = 0.0
        package var spendFitSeconds = 0.0
        package var segmentSeconds = 0.0
        package var silhouette: Double?
        /// The held-back check that chose the repeat-buying model: its mean absolute error per
        /// customer, predicted and actual purchases.
        package var validationError: Double?
        package var validationPredicted: Double?
        package var validationActual: Double?
    }

    package init(settings: CustomerSettings) {
        self.settings = settings
    }

    /// - Parameters:
    ///   - contents: the ledger's copy.
    ///   - catalog: an item's catalog entry (price and categories), nil when unknown.
    ///   - clock: a monotonic clock in nanoseconds, for the report's timings.
    /// - Returns: the model and what the build measured, or nil when cancelled.
    package func build(
        _ contents: CustomerLedger.Contents,
        catalog: (String) -> Item?,
        clock: () -> UInt64
    ) -> (CustomerModel, Report)? {
        var model = CustomerModel()
        var report = Report()
        model.horizonDays = settings.horizonDays
        model.monthlyDiscount = settings.monthlyDiscount
        model.asOf = contents.latest == .min ? 0 : CustomerLedger.day(contents.latest)
        let items = contents.itemNames.map { catalog($0) }
        let usual = Self.usualPrices(contents, items: items)

        // Customers in id order, so the same contents give the same model.
        model.ids = contents.customers.keys.sorted()
        model.index.reserveCapacity(model.ids.count)
        for customer in model.ids {
            if model.index.count % 1_000 == 0 && isCancelled() { return nil }
            model.index[customer] = Int32(model.index.count)
            let record = contents.customers[customer]!
            let (days, amounts, profile) = Self.purchases(record, items: items, usual: usual)
            model.days += days
            model.amounts += amounts
            model.dayStart.append(Int32(model.days.count))
            model.profiles.append(profile)
        }
        report.customers = model.ids.count

        // The repeat-buying and spend models, on every purchaser's history to the as-of date.
        var summaries: [RepeatPurchases] = []
        var spends: [GammaGammaSpend.Spend] = []
        var purchasers: [Int] = []
        for i in model.ids.indices {
            guard let (summary, spend) = model.summary(i, asOf: model.asOf) else { continue }
            purchasers.append(i)
            summaries.append(summary)
            spends.append(spend)
        }
        report.purchasers = purchasers.count
        report.repeatBuyers = summaries.count { $0.repeats > 0 }
        if isCancelled() { return nil }
        var started = clock()
        let choice = chooseRepeatModel(model, purchasers: purchasers, summaries: summaries)
        model.purchases = choice.model
        model.selection = choice.description
        report.validationError = choice.error
        report.validationPredicted = choice.predicted
        report.validationActual = choice.actual
        report.purchaseFitSeconds = Double(clock() - started) / 1e9
        started = clock()
        model.spend = GammaGammaSpend.fit(WeightedSummaries(spends))
        report.spendFitSeconds = Double(clock() - started) / 1e9

        // Every customer's figures at the defaults, and the top lists.
        let count = model.ids.count
        model.alive = [Double](repeating: .nan, count: count)
        model.expectedPurchases = model.alive
        model.expectedSpend = model.alive
        model.value = model.alive
        for (position, i) in purchasers.enumerated() {
            if position % 1_000 == 0 && isCancelled() { return nil }
            guard
                let (alive, value) = model.lifetime(
                    i,
                    asOf: model.asOf,
                    horizonDays: model.horizonDays,
                    monthlyDiscount: model.monthlyDiscount
                )
            else { continue }
            model.alive[i] = alive
            model.expectedPurchases[i] = value.purchases
            model.expectedSpend[i] = value.spend
            model.value[i] = value.discounted
        }
        let valued = purchasers.filter { !model.value[$0].isNaN }.map(Int32.init)
        model.byValue = valued.sorted { (model.value[Int($0)], $1) > (model.value[Int($1)], $0) }
        model.byChurnRisk = valued.sorted {
            (1 - model.alive[Int($0)], model.value[Int($0)], $1) > (1 - model.alive[Int($1)], model.value[Int($1)], $0)
        }

        if isCancelled() { return nil }
        started = clock()
        segment(&model, purchasers: purchasers, report: &report)
        if isCancelled() { return nil }
        report.segmentSeconds = Double(clock() - started) / 1e9
        return (model, report)
    }

    // MARK: - Profiles

    /// An item's usual price: the catalog's, else the median price paid for it.
    private static func usualPrices(_ contents: CustomerLedger.Contents, items: [Item?]) -> [Double] {
        var paid = [[Double]](repeating: [], count: items.count)
        for record in contents.customers.values {
            for line in record.lines where line.price.isFinite && line.price > 0 {
                paid[Int(line.item)].append(line.price)
            }
        }
        return items.indices.map { index in
            if let price = items[index]?.price, price > 0 { return price }
            let prices = paid[index].sorted()
            guard !prices.isEmpty else { return .nan }
            let middle = prices.count / 2
            return prices.count % 2 == 1 ? prices[middle] : (prices[middle - 1] + prices[middle]) / 2
        }
    }

    /// A record's purchase days with their spend, and its profile.
    private static func purchases(
        _ record: CustomerLedger.Record,
        items: [Item?],
        usual: [Double]
    ) -> ([Int32], [Double], CustomerProfile) {
        var profile = CustomerProfile()
        profile.firstSeen = record.firstSeen
        profile.lastSeen = record.lastSeen
        profile.events = Int(record.events)
        var byDay: [Int32: Double] = [:]
        var orders = Set<String>()
        var daysWithoutOrder = Set<Int32>()
        var byCategory: [String: Double] = [:]
        var unitsByCategory: [String: Double] = [:]
        var priced = 0
        var discounted = 0
        for line in record.lines {
            let kept = Double(max(0, line.units - line.returned))
            let unitPrice = line.price.isFinite ? line.price : usual[Int(line.item)]
            let amount = unitPrice.isFinite ? unitPrice * kept : 0
            byDay[line.day, default: 0] += amount
            if let order = line.order { orders.insert(order) } else { daysWithoutOrder.insert(line.day) }
            profile.units += Double(line.units)
            profile.returnedUnits += Double(line.returned)
            if let category = items[Int(line.item)]?.categories.first {
                byCategory[category, default: 0] += amount
                unitsByCategory[category, default: 0] += kept
            }
            let usualPrice = usual[Int(line.item)]
            if line.discounted {
                priced += 1
                discounted += 1
            } else if line.price.isFinite && usualPrice.isFinite {
                priced += 1
                if line.price < 0.95 * usualPrice { discounted += 1 }
            }
        }
        // An imported order an event already describes (the same id) counts once.
        for order in record.imported where !orders.contains(order.id) {
            byDay[order.day, default: 0] += order.amount
            orders.insert(order.id)
        }
        profile.orders = orders.count + daysWithoutOrder.count
        profile.priceSensitivity = priced > 0 ? Double(discounted) / Double(priced) : nil
        let spent = byCategory.values.reduce(0, +)
        let weights = spent > 0 ? byCategory : unitsByCategory
        let total = weights.values.reduce(0, +)
        if total > 0 {
            profile.topCategories = weights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map {
                CustomerProfile.CategoryShare(category: $0.key, share: $0.value / total)
            }
        }
        profile.device = record.devices.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        profile.channel = record.channels.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        let days = byDay.keys.sorted()
        return (days, days.map { byDay[$0]! }, profile)
    }

    // MARK: - Repeat buying

    private struct Choice {
        var model: (any RepeatBuyingModel)?
        var description: String
        var error: Double?
        var predicted: Double?
        var actual: Double?
    }

    /// The three repeat-buying models, fitted by maximum likelihood.
    private enum Candidate: CaseIterable {
        case bgnbd
        case mbgnbd
        case pareto

        var name: String {
            switch self {
            case .bgnbd: return "BG/NBD"
            case .mbgnbd: return "MBG/NBD"
            case .pareto: return "Pareto/NBD"
            }
        }

        func fit(_ customers: WeightedSummaries<RepeatPurchases>) -> (any RepeatBuyingModel)? {
            switch self {
            case .bgnbd: return BetaGeometricNBD.fit(customers)
            case .mbgnbd: return BetaGeometricNBD.fit(customers, modified: true)
            case .pareto: return ParetoNBD.fit(customers)
            }
        }
    }

    /// BG/NBD, MBG/NBD or Pareto/NBD: whichever predicts the last quarter of the history best
    /// from the first three (mean absolute error of repeat purchases per customer), then refitted
    /// on all of it.
    ///
    /// Why a choice: they differ in how customers leave (after a purchase, also right after the
    /// first, or at any time), and which describes a shop better is an empirical question its own
    /// data can answer. Too short a history (under 8 weeks, or no repeat buyer in the first part)
    /// keeps BG/NBD, the standard.
    private func chooseRepeatModel(_ model: CustomerModel, purchasers: [Int], summaries: [RepeatPurchases]) -> Choice {
        let all = WeightedSummaries(summaries)
        let first = purchasers.compactMap { model.purchaseDays($0).days.first }.min() ?? model.asOf
        let span = model.asOf - first
        let split = first + span * 3 / 4
        var candidates: [(candidate: Candidate, error: Double, predicted: Double)] = []
        var actualTotal = 0.0
        if span >= 56 {
            var early: [RepeatPurchases] = []
            var later: [Double] = []
            for i in purchasers {
                guard let summary = model.summary(i, asOf: split)?.0 else { continue }
                early.append(summary)
                later.append(Double(model.purchaseDays(i).days.count { $0 > split && $0 <= model.asOf }))
            }
            actualTotal = later.reduce(0, +)
            let weeks = Double(model.asOf - split) / 7
            let grouped = WeightedSummaries(early)
            for candidate in Candidate.allCases {
                if isCancelled() { break }
                guard let fitted = candidate.fit(grouped) else { continue }
                var error = 0.0
                var predicted = 0.0
                for (summary, actual) in zip(early, later) {
                    let expected = fitted.expectedPurchases(inWeeks: weeks, summary)
                    error += abs(expected - actual)
                    predicted += expected
                }
                guard error.isFinite else { continue }
                candidates.append((candidate, error / Double(max(1, early.count)), predicted))
            }
        }
        // The best that can also be fitted on all of the history (a Pareto/NBD fit can fail
        // where the early part's succeeded), else BG/NBD.
        let ranked = candidates.sorted { $0.error < $1.error }
        var chosen = Candidate.bgnbd
        var fitted: (any RepeatBuyingModel)?
        var best: (candidate: Candidate, error: Double, predicted: Double)?
        for entry in ranked {
            if let model = entry.candidate.fit(all) {
                (chosen, fitted, best) = (entry.candidate, model, entry)
                break
            }
        }
        if fitted == nil { fitted = Candidate.bgnbd.fit(all) }
        let description =
            if best != nil {
                "\(chosen.name): it predicted the last quarter of the history from the first three best (mean absolute "
                    + "error per customer "
                    + ranked.map { "\($0.candidate.name) \(Self.format($0.error))" }.joined(separator: ", ") + ")"
            } else {
                "BG/NBD: too little history to compare it with MBG/NBD and Pareto/NBD"
            }
        return Choice(
            model: fitted,
            description: description,
            error: best?.error,
            predicted: best?.predicted,
            actual: best == nil ? nil : actualTotal
        )
    }

    private static func format(_ value: Double?) -> String {
        guard let value else { return "none" }
        return String(Double((value * 10_000).rounded()) / 10_000)
    }

    // MARK: - Segments

    private func segment(_ model: inout CustomerModel, purchasers: [Int], report: inout Report) {
        model.segmentOf = [Int8](repeating: -1, count: model.ids.count)
        guard purchasers.count >= Self.minimumForSegments else { return }
        let rfms = purchasers.map { model.rfm($0, asOf: model.asOf)! }
        // Standardise log1p RFM with the population standard deviation (as the CDNOW scoring).
        var logs = [[Double]](repeating: [], count: 3)
        for rfm in rfms {
            logs[0].append(Double.log(onePlus: rfm.recencyDays))
            logs[1].append(Double.log(onePlus: rfm.frequency))
            logs[2].append(Double.log(onePlus: max(0, rfm.monetary)))
        }
        for d in 0..<3 {
            let mean = logs[d].reduce(0, +) / Double(rfms.count)
            let variance = logs[d].reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rfms.count)
            model.featureMeans[d] = mean
            model.featureScales[d] = variance > 0 ? variance.squareRoot() : 1
        }
        var points = [Double](repeating: 0, count: rfms.count * 3)
        for row in rfms.indices {
            for d in 0..<3 { points[row * 3 + d] = (logs[d][row] - model.featureMeans[d]) / model.featureScales[d] }
        }
        let fits: [(KMeans, Double?)]
        if settings.segments > 0 {
            let k = min(settings.segments, rfms.count)
            fits = [(fit(points, k: k), nil)]
        } else {
            // A fixed sample, the same for every k.
            var random = SeededRandom(seed: settings.seed &+ 1)
            var sample = Array(rfms.indices)
            if sample.count > Self.silhouetteSample {
                for i in 0..<Self.silhouetteSample {
                    let j = i + Int(random.next() % UInt64(sample.count - i))
                    sample.swapAt(i, j)
                }
                sample = Array(sample.prefix(Self.silhouetteSample)).sorted()
            }
            fits = (settings.minSegments...max(settings.minSegments, settings.maxSegments)).compactMap { k in
                guard k < rfms.count, !isCancelled() else { return nil }
                let clustering = fit(points, k: k)
                return (
                    clustering,
                    Silhouette.score(points: points, dimensions: 3, labels: clustering.labels, k: k, rows: sample)
                )
            }
        }
        guard let chosen = fits.max(by: { ($0.1 ?? 0) < ($1.1 ?? 0) }) else { return }
        report.silhouette = chosen.1
        let clustering = chosen.0
        model.clusters = clustering
        describe(&model, clustering: clustering, purchasers: purchasers, rfms: rfms)
    }

    private func fit(_ points: [Double], k: Int) -> KMeans {
        KMeans.fit(
            points: points,
            dimensions: 3,
            k: k,
            restarts: settings.restarts,
            seed: settings.seed,
            parallel: parallel
        )
    }

    /// Names, describes and orders the segments (by revenue share, largest first), and labels
    /// every purchaser with the position of theirs.
    private func describe(
        _ model: inout CustomerModel,
        clustering: KMeans,
        purchasers: [Int],
        rfms: [CustomerModel.RFM]
    ) {
        let k = clustering.k
        var members = [[Int]](repeating: [], count: k)
        for (row, label) in clustering.labels.enumerated() { members[Int(label)].append(row) }
        let revenue = rfms.reduce(0) { $0 + max(0, $1.monetary) }
        var segments: [(segment: CustomerSegment, cluster: Int)] = []
        for cluster in 0..<k where !members[cluster].isEmpty {
            let rows = members[cluster]
            func median(_ values: [Double]) -> Double {
                let sorted = values.sorted()
                let middle = sorted.count / 2
                return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            }
            let recency = median(rows.map { rfms[$0].recencyDays })
            let frequency = median(rows.map { rfms[$0].frequency })
            let monetary = median(rows.map { rfms[$0].monetary })
            let spent = rows.reduce(0) { $0 + max(0, rfms[$1].monetary) }
            let alive = rows.map { model.alive[purchasers[$0]] }.filter { !$0.isNaN }
            let values = rows.map { model.value[purchasers[$0]] }.filter { !$0.isNaN }
            let centre = Array(clustering.centroid(cluster))
            let name = CustomerSegment.name(centre: centre, medianRecencyDays: recency, medianFrequency: frequency)
            let segment = CustomerSegment(
                id: CustomerSegment.slug(name),
                name: name,
                description: "",
                size: rows.count,
                customerShare: Double(rows.count) / Double(rfms.count),
                revenueShare: revenue > 0 ? spent / revenue : 0,
                medianRecencyDays: recency,
                medianFrequency: frequency,
                medianMonetary: monetary,
                meanAlive: alive.isEmpty ? nil : alive.reduce(0, +) / Double(alive.count),
                meanValue: values.isEmpty ? nil : values.reduce(0, +) / Double(values.count),
                centre: centre
            )
            segments.append((segment, cluster))
        }
        segments.sort { ($0.segment.revenueShare, $1.segment.id) > ($1.segment.revenueShare, $0.segment.id) }
        // Two segments can land on the same words: the later one (less revenue) gets a number.
        var used: [String: Int] = [:]
        for position in segments.indices {
            let base = segments[position].segment.name
            used[base, default: 0] += 1
            if used[base]! > 1 {
                segments[position].segment.name = "\(base) \(used[base]!)"
                segments[position].segment.id = CustomerSegment.slug(segments[position].segment.name)
            }
            segments[position].segment.description = Self.describe(segments[position].segment)
        }
        var position = [Int](repeating: -1, count: k)
        for (index, entry) in segments.enumerated() { position[entry.cluster] = index }
        for (row, label) in clustering.labels.enumerated() {
            model.segmentOf[purchasers[row]] = Int8(position[Int(label)])
        }
        model.segments = segments.map(\.segment)
        model.members = [[Int32]](repeating: [], count: segments.count)
        for i in purchasers where model.segmentOf[i] >= 0 { model.members[Int(model.segmentOf[i])].append(Int32(i)) }
        for index in model.members.indices {
            model.members[index].sort { left, right in
                let (a, b) = (model.value[Int(left)], model.value[Int(right)])
                if a.isNaN != b.isNaN { return b.isNaN }
                if !a.isNaN && a != b { return a > b }
                return left < right
            }
        }
    }

    private static func describe(_ segment: CustomerSegment) -> String {
        func percent(_ share: Double) -> String { String(Double((share * 1000).rounded()) / 10) + " %" }
        func amount(_ value: Double) -> String { JSONWriter.number(value, places: 2) }
        let times = segment.medianFrequency == 1 ? "once" : "on \(amount(segment.medianFrequency)) days"
        return "The typical member last bought \(amount(segment.medianRecencyDays)) days before the as-of date, "
            + "bought \(times) and spent \(amount(segment.medianMonetary)) in all. \(segment.size) customers "
            + "(\(percent(segment.customerShare))) bringing \(percent(segment.revenueShare)) of revenue."
    }
}
