/// Derivative-free minimisation inside a box, as statsforecast's ETS optimiser does it: a simplex
/// of 5 % steps along each coordinate, the adaptive coefficients of Gao and Han (2012) for the
/// 5-20 dimensions ETS has, and every trial point clipped to the box.
package struct NelderMead: Sendable {
    package var maxIterations = 2_000
    /// Stop when the standard deviation of the simplex's values falls below this.
    package var tolerance = 1e-10
    package var initialStep = 0.05
    /// Restarts from the best point with a fresh simplex, while they still improve it.
    package var restarts = 0

    package init() {}

    /// - Parameters:
    ///   - start: the starting point.
    ///   - lower: lower bounds per coordinate (may be `-infinity`).
    ///   - upper: upper bounds per coordinate (may be `infinity`).
    ///   - objective: the function to minimise; return a large number outside its domain.
    /// - Returns: the best point and its value.
    package func minimize(
        start: [Double],
        lower: [Double],
        upper: [Double],
        objective: ([Double]) -> Double
    ) -> (point: [Double], value: Double) {
        let n = start.count
        let dimension = Double(n)
        let reflect = 1.0
        let expand = 1 + 2 / dimension
        let contract = 0.75 - 1 / (2 * dimension)
        let shrink = 1 - 1 / dimension
        func clip(_ x: inout [Double]) {
            for i in 0..<n { x[i] = min(max(x[i], lower[i]), upper[i]) }
        }
        func evaluate(_ x: [Double]) -> Double {
            let value = objective(x)
            return value.isNaN ? .greatestFiniteMagnitude : min(value, .greatestFiniteMagnitude)
        }
        var simplex = [[Double]](repeating: start, count: n + 1)
        clip(&simplex[0])
        for i in 0..<n {
            simplex[i + 1][i] = start[i] != 0 ? (1 + initialStep) * start[i] : 1e-4
            clip(&simplex[i + 1])
        }
        var values = simplex.map(evaluate)
        var order = Array(0...n)
        var centroid = [Double](repeating: 0, count: n)
        var trial = centroid
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            order.sort { values[$0] < values[$1] }
            let best = order[0]
            let worst = order[n]
            let secondWorst = order[n - 1]
            var mean = 0.0
            for v in values { mean += v }
            mean /= Double(n + 1)
            var spread = 0.0
            for v in values { spread += (v - mean) * (v - mean) }
            if (spread / Double(n + 1)).squareRoot() < tolerance { break }
            for i in 0..<n { centroid[i] = 0 }
            for k in order.dropLast() {
                for i in 0..<n { centroid[i] += simplex[k][i] }
            }
            for i in 0..<n { centroid[i] /= dimension }
            for i in 0..<n { trial[i] = centroid[i] + reflect * (centroid[i] - simplex[worst][i]) }
            clip(&trial)
            let reflected = trial
            let fr = evaluate(reflected)
            if fr < values[best] {
                for i in 0..<n { trial[i] = centroid[i] + expand * (reflected[i] - centroid[i]) }
                clip(&trial)
                let fe = evaluate(trial)
                if fe < fr {
                    simplex[worst] = trial
                    values[worst] = fe
                } else {
                    simplex[worst] = reflected
                    values[worst] = fr
                }
                continue
            }
            if fr < values[secondWorst] {
                simplex[worst] = reflected
                values[worst] = fr
                continue
            }
            let outside = fr < values[worst]
            for i in 0..<n {
                let far = outside ? reflected[i] : simplex[worst][i]
                trial[i] = centroid[i] + contract * (far - centroid[i])
            }
            clip(&trial)
            let fc = evaluate(trial)
            if outside ? fc <= fr : fc < values[worst] {
                simplex[worst] = trial
                values[worst] = fc
                continue
            }
            for k in 0...n where k != best {
                for i in 0..<n { simplex[k][i] = simplex[best][i] + shrink * (simplex[k][i] - simplex[best][i]) }
                clip(&simplex[k])
                values[k] = evaluate(simplex[k])
            }
        }
        var bestIndex = 0
        for k in 1...n where values[k] < values[bestIndex] { bestIndex = k }
        return (simplex[bestIndex], values[bestIndex])
    }
}
