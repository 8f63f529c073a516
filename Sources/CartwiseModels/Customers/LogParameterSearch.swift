/// Minimises a negative log-likelihood over the logs of positive parameters.
///
/// Why a shift: ``NelderMead`` builds its first simplex from steps proportional to each
/// coordinate, which at log 1 = 0 are a fixed 1e-4. Searching in log + 10 makes them ±0.5 in log
/// space, a factor of 1.6 either way, which is the scale these parameters move on. Why restarts:
/// one simplex can collapse along a ridge (BG/NBD's r and α move together); a fresh one from
/// the best point goes on until it no longer improves.
enum LogParameterSearch {
    private static let shift = 10.0

    /// - Parameters:
    ///   - dimensions: how many parameters.
    ///   - objective: the negative log-likelihood at the parameters' logs.
    /// - Returns: the best logs and their value.
    static func minimize(dimensions: Int, objective: ([Double]) -> Double) -> (logs: [Double], value: Double) {
        var search = NelderMead()
        search.maxIterations = 3_000
        search.tolerance = 1e-11
        search.initialStep = 0.05
        let lower = [Double](repeating: shift - 12, count: dimensions)
        let upper = [Double](repeating: shift + 12, count: dimensions)
        var best = (point: [Double](repeating: shift, count: dimensions), value: Double.infinity)
        for _ in 0..<8 {
            let found = search.minimize(start: best.point, lower: lower, upper: upper) { point in
                objective(point.map { $0 - shift })
            }
            let improved = best.value - found.value
            if found.value < best.value { best = found }
            if improved < 1e-12 { break }
            search.initialStep = 0.01
        }
        return (best.point.map { $0 - shift }, best.value)
    }
}
