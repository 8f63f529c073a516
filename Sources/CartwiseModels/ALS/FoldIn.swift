/// Solving one user's vector from their items against fixed item factors: exactly the ALS user step,
/// used for users who acted since the last training and for anonymous sessions, and the
/// decomposition behind explanations.
package struct FoldIn: Sendable {
    package let items: DenseMatrix
    /// YᵀY + λI, computed once per model.
    package let gram: [Float]
    package let confidence: ImplicitALS.Confidence

    package init(items: DenseMatrix, regularization: Float, alpha: Float) {
        self.items = items
        gram = items.gram(plus: regularization)
        confidence = ImplicitALS.Confidence(alpha: alpha)
    }

    /// The user's system W = YᵀY + λI + Σ (cᵢ − 1) yᵢyᵢᵀ and right-hand side b = Σ cᵢ yᵢ, built
    /// with SIMD row updates (this runs on the request path for fold-in and explanations).
    private func system(_ history: [(item: Int, weight: Float)]) -> (matrix: [Float], rhs: [Float]) {
        let k = items.columns
        var matrix = gram
        var rhs = [Float](repeating: 0, count: k)
        items.values.withUnsafeBufferPointer { all in
            matrix.withUnsafeMutableBufferPointer { w in
                rhs.withUnsafeMutableBufferPointer { b in
                    for (item, weight) in history {
                        let c = confidence(weight)
                        let y = all.baseAddress! + item * k
                        VectorMath.axpy(c, y, b.baseAddress!, k)
                        for i in 0..<k where y[i] != 0 {
                            VectorMath.axpy((c - 1) * y[i], y, w.baseAddress! + i * k, k)
                        }
                    }
                }
            }
        }
        return (matrix, rhs)
    }

    /// The least-squares user vector for `history` (item index, summed weight). O(n k² + k³).
    package func userVector(_ history: [(item: Int, weight: Float)]) -> [Float]? {
        let (matrix, rhs) = system(history)
        return Cholesky(matrix, size: items.columns)?.solve(rhs)
    }

    /// For each item in `recommended`, the history item that contributed most to its score, with
    /// that contribution: score(j) = Σᵢ cᵢ yⱼᵀ W⁻¹ yᵢ (the `explain` decomposition of implicit ALS).
    package func explain(
        _ history: [(item: Int, weight: Float)],
        recommended: [Int]
    ) -> [(because: Int, contribution: Float)?] {
        guard !history.isEmpty else { return recommended.map { _ in nil } }
        let (matrix, _) = system(history)
        guard let cholesky = Cholesky(matrix, size: items.columns) else { return recommended.map { _ in nil } }
        let k = items.columns
        return recommended.map { item in
            let solved = cholesky.solve(Array(items.row(item)))
            var best: (because: Int, contribution: Float)?
            solved.withUnsafeBufferPointer { z in
                items.values.withUnsafeBufferPointer { all in
                    for (source, weight) in history {
                        let contribution =
                            confidence(weight) * VectorMath.dot(z.baseAddress!, all.baseAddress! + source * k, k)
                        if best == nil || contribution > best!.contribution { best = (source, contribution) }
                    }
                }
            }
            return best
        }
    }
}
