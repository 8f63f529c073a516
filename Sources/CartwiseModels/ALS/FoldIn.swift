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

    /// The user's system W = YᵀY + λI + Σ (cᵢ − 1) yᵢyᵢᵀ and right-hand side b = Σ cᵢ yᵢ.
    private func system(_ history: [(item: Int, weight: Float)]) -> (matrix: [Float], rhs: [Float]) {
        let k = items.columns
        var matrix = gram
        var rhs = [Float](repeating: 0, count: k)
        for (item, weight) in history {
            let c = confidence(weight)
            let row = Array(items.row(item))
            for i in 0..<k {
                rhs[i] += c * row[i]
                for j in 0..<k { matrix[i * k + j] += (c - 1) * row[i] * row[j] }
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
        return recommended.map { item in
            let solved = cholesky.solve(Array(items.row(item)))
            var best: (because: Int, contribution: Float)?
            for (source, weight) in history {
                let row = Array(items.row(source))
                var dot: Float = 0
                for index in 0..<row.count { dot += solved[index] * row[index] }
                let contribution = confidence(weight) * dot
                if best == nil || contribution > best!.contribution { best = (source, contribution) }
            }
            return best
        }
    }
}
