/// Cholesky factorisation `A = L Lᵀ` of a small dense symmetric positive-definite matrix, and the
/// solves that use it. Used for exact fold-in and explanations (k x k with k the factor count).
package struct Cholesky: Sendable {
    package let size: Int
    /// Lower triangle, row-major.
    private var lower: [Float]

    /// - Returns: nil if the matrix is not positive definite.
    package init?(_ matrix: [Float], size: Int) {
        self.size = size
        var l = [Float](repeating: 0, count: size * size)
        for i in 0..<size {
            for j in 0...i {
                var sum = Double(matrix[i * size + j])
                for k in 0..<j { sum -= Double(l[i * size + k]) * Double(l[j * size + k]) }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i * size + i] = Float(sum.squareRoot())
                } else {
                    l[i * size + j] = Float(sum / Double(l[j * size + j]))
                }
            }
        }
        lower = l
    }

    /// Solves `A x = b`.
    package func solve(_ b: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: size)
        for i in 0..<size {
            var sum = b[i]
            for k in 0..<i { sum -= lower[i * size + k] * y[k] }
            y[i] = sum / lower[i * size + i]
        }
        var x = [Float](repeating: 0, count: size)
        for i in stride(from: size - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<size { sum -= lower[k * size + i] * x[k] }
            x[i] = sum / lower[i * size + i]
        }
        return x
    }
}
