import CartwiseModels

/// Turns stored covariates (sparse: covariate -> period -> value) into the dense columns the
/// models fit, and plans into the planned future.
///
/// - A period of the history without a value carries the last one forward (the first one
///   backward before it), as the evaluation kit's anchors fill gaps.
/// - A plan sets the periods it names. A future period without a plan keeps a price at its
///   last value in the history (the regular price persists; a planned cut lasts as long as the
///   periods it names) and every other covariate at 0 (a promotion not planned does not run).
/// - Covariates that never vary over the history are left out: their effect cannot be told
///   from the level.
enum CovariateTable {
    /// The baseline plan with a scenario's values laid over it.
    static func plan(_ plans: SeriesStore.Plans, scenario: String?) -> [String: [Int: Double]] {
        var merged = plans[""] ?? [:]
        if let scenario, let overlay = plans[scenario] {
            for (name, values) in overlay { merged[name, default: [:]].merge(values) { $1 } }
        }
        return merged
    }

    static func covariates(
        history: [String: [Int: Double]],
        plan: [String: [Int: Double]],
        start: Int,
        last: Int,
        horizon: Int
    ) -> Covariates? {
        guard last >= start else { return nil }
        var names: [String] = []
        var columns: [[Double]] = []
        var futures: [[Double]] = []
        for name in history.keys.sorted() {
            let values = history[name]!
            guard let column = dense(values, start: start, last: last),
                let first = column.first, column.contains(where: { $0 != first })
            else { continue }
            names.append(name)
            columns.append(column)
            futures.append(future(name, last: column.last ?? 0, plan: plan[name] ?? [:], after: last, horizon: horizon))
        }
        guard !names.isEmpty else { return nil }
        return Covariates(
            names: names,
            history: columns,
            future: futures,
            logged: names.map(SeriesUpload.Covariate.isPrice)
        )
    }

    /// The planned columns of a scenario for an input's covariates (nil: the input has none).
    static func future(_ covariates: Covariates, plan: [String: [Int: Double]], after last: Int) -> [[Double]] {
        zip(covariates.names, covariates.history).map { name, column in
            future(
                name,
                last: column.last ?? 0,
                plan: plan[name] ?? [:],
                after: last,
                horizon: covariates.future.first?.count ?? 0
            )
        }
    }

    private static func dense(_ values: [Int: Double], start: Int, last: Int) -> [Double]? {
        let known = values.filter { $0.key <= last }
        guard !known.isEmpty else { return nil }
        let before = known.filter { $0.key <= start }.max { $0.key < $1.key }?.value
        let firstKnown = known.min { $0.key < $1.key }!.value
        var current = before ?? firstKnown
        var column = [Double](repeating: 0, count: last - start + 1)
        for period in start...last {
            if let value = values[period] { current = value }
            column[period - start] = current
        }
        return column
    }

    private static func future(
        _ name: String,
        last: Double,
        plan: [Int: Double],
        after end: Int,
        horizon: Int
    ) -> [Double] {
        let price = SeriesUpload.Covariate.isPrice(name)
        return (0..<horizon).map { step in plan[end + 1 + step] ?? (price ? last : 0) }
    }
}
