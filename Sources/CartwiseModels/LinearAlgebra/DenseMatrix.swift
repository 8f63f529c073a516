/// A row-major matrix of `Float`: one row per user or item, one column per latent factor.
package struct DenseMatrix: Sendable, Equatable {
    package let rows: Int
    package let columns: Int
    package var values: [Float]

    package init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "DenseMatrix needs rows x columns values")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    package init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: value, count: rows * columns))
    }

    /// Small random values, uniform in [0, scale): the usual ALS starting point, as in `implicit`.
    package static func random(rows: Int, columns: Int, scale: Float, random: inout SeededRandom) -> DenseMatrix {
        var values = [Float](repeating: 0, count: rows * columns)
        for index in values.indices { values[index] = Float(random.unit()) * scale }
        return DenseMatrix(rows: rows, columns: columns, values: values)
    }

    package func row(_ index: Int) -> ArraySlice<Float> {
        values[(index * columns)..<((index + 1) * columns)]
    }

    /// `Mᵀ M + lambda I` (columns x columns), the Gram matrix every ALS half-step starts from.
    /// Cost: O(rows x columns²).
    package func gram(plus lambda: Float) -> [Float] {
        var result = partialGram(0..<rows)
        for i in 0..<columns { result[i * columns + i] += lambda }
        return result
    }

    /// `Mᵀ M` over `range` of the rows; partial sums over disjoint ranges add up to the whole.
    package func partialGram(_ range: Range<Int>) -> [Float] {
        let k = columns
        var result = [Float](repeating: 0, count: k * k)
        values.withUnsafeBufferPointer { matrix in
            result.withUnsafeMutableBufferPointer { out in
                for row in range {
                    let vector = matrix.baseAddress! + row * k
                    for i in 0..<k {
                        let scale = vector[i]
                        if scale == 0 { continue }
                        VectorMath.axpy(scale, vector, out.baseAddress! + i * k, k)
                    }
                }
            }
        }
        return result
    }
}
