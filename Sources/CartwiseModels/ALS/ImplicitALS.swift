/// Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008), solved by alternating least
/// squares with a few conjugate-gradient steps per row (Takács, Pilászy & Tikk 2011), as the
/// `implicit` library does.
///
/// Objective: minimise Σᵤᵢ cᵤᵢ (pᵤᵢ − xᵤ·yᵢ)² + λ (Σ‖xᵤ‖² + Σ‖yᵢ‖²), where pᵤᵢ = 1 if user u
/// interacted with item i (0 otherwise) and the confidence cᵤᵢ = 1 + α wᵤᵢ, w being the summed
/// event weight. With the other side fixed, each row solves
/// (YᵀY + Yᵀ(Cᵤ − I)Y + λI) xᵤ = Yᵀ Cᵤ pᵤ, which only touches the user's own items once YᵀY is known.
///
/// Cost of one half-step: O(n k²) for YᵀY plus O(rows × cgSteps × k²  +  nnz × cgSteps × k) for
/// the solves, k being the factor count. Rows are independent, so a half-step splits into chunks
/// that ``fit(_:initial:parallel:)`` hands to the caller's executor.
package struct ImplicitALS: Sendable {
    package var factors: Int
    package var regularization: Float
    package var alpha: Float
    package var iterations: Int
    package var cgSteps: Int
    package var seed: UInt64

    package init(
        factors: Int = 64,
        regularization: Float = 0.01,
        alpha: Float = 1,
        iterations: Int = 15,
        cgSteps: Int = 3,
        seed: UInt64 = 42
    ) {
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.cgSteps = cgSteps
        self.seed = seed
    }

    /// Runs `count` independent jobs and returns their results in order. The service runs them on
    /// its worker threads; ``serial`` runs them one after another.
    package typealias Executor = @Sendable (_ count: Int, _ job: @escaping @Sendable (Int) -> [Float]) -> [[Float]]

    /// Runs jobs on the calling thread.
    package static let serial: Executor = { count, job in (0..<count).map(job) }

    /// Trains factors for `userItems` (users x items, values = summed event weights w).
    /// - Parameters:
    ///   - userItems: the interaction weights.
    ///   - initial: factors to start from (warm start); rows for new users or items are random.
    ///   - parallel: how to run the row chunks of each half-step.
    ///   - isCancelled: checked between iterations; true ends the fit early.
    /// - Returns: the trained factors.
    package func fit(
        _ userItems: CSRMatrix,
        initial: ALSFactors? = nil,
        parallel: Executor = ImplicitALS.serial,
        isCancelled: () -> Bool = { false }
    )
        -> ALSFactors
    {
        var random = SeededRandom(seed: seed)
        let scale = 0.01 as Float
        var users = DenseMatrix.random(rows: userItems.rows, columns: factors, scale: scale, random: &random)
        var items = DenseMatrix.random(rows: userItems.columns, columns: factors, scale: scale, random: &random)
        if let initial, initial.factors == factors {
            users = Self.warm(users, from: initial.users)
            items = Self.warm(items, from: initial.items)
        }
        let itemUsers = userItems.transposed()
        let confidence = Confidence(alpha: alpha)
        // Checked between iterations: a cancelled fit returns the factors so far, unconverged.
        for _ in 0..<iterations where !isCancelled() {
            users = halfStep(userItems, fixed: items, solving: users, confidence: confidence, parallel: parallel)
            items = halfStep(itemUsers, fixed: users, solving: items, confidence: confidence, parallel: parallel)
        }
        return ALSFactors(users: users, items: items)
    }

    /// The weight-to-confidence map: c = 1 + α w.
    package struct Confidence: Sendable {
        package var alpha: Float

        package init(alpha: Float) {
            self.alpha = alpha
        }

        @inline(__always) package func callAsFunction(_ weight: Float) -> Float { 1 + alpha * weight }
    }

    /// Solves every row of `solving` with `fixed` held constant.
    package func halfStep(
        _ interactions: CSRMatrix,
        fixed: DenseMatrix,
        solving: DenseMatrix,
        confidence: Confidence,
        parallel: Executor
    ) -> DenseMatrix {
        let gram = Self.gram(fixed, plus: regularization, parallel: parallel)
        let rows = interactions.rows
        let chunks = max(1, min(64, rows / 256))
        let chunkSize = (rows + chunks - 1) / max(chunks, 1)
        let k = factors
        let steps = cgSteps
        let parts = parallel(chunks) { chunk in
            let range = (chunk * chunkSize)..<min(rows, (chunk + 1) * chunkSize)
            return Self.solveRows(range, interactions, fixed, solving, gram, confidence, k, steps)
        }
        var values: [Float] = []
        values.reserveCapacity(rows * k)
        for part in parts { values.append(contentsOf: part) }
        return DenseMatrix(rows: rows, columns: k, values: values)
    }

    /// YᵀY + λI with the rows split across the executor's jobs.
    static func gram(_ fixed: DenseMatrix, plus lambda: Float, parallel: Executor) -> [Float] {
        let chunks = max(1, min(16, fixed.rows / 2048))
        let size = (fixed.rows + chunks - 1) / chunks
        let parts = parallel(chunks) { chunk in fixed.partialGram((chunk * size)..<min(fixed.rows, (chunk + 1) * size))
        }
        var total = parts[0]
        for part in parts.dropFirst() {
            for index in total.indices { total[index] += part[index] }
        }
        for i in 0..<fixed.columns { total[i * fixed.columns + i] += lambda }
        return total
    }

    /// Conjugate gradient on (G + Yᵀ(C − I)Y) x = Yᵀ C p for each row in `range`, warm-started from
    /// the current row (G = YᵀY + λI). Returns the rows' new values, concatenated.
    static func solveRows(
        _ range: Range<Int>,
        _ interactions: CSRMatrix,
        _ fixed: DenseMatrix,
        _ current: DenseMatrix,
        _ gram: [Float],
        _ confidence: Confidence,
        _ k: Int,
        _ steps: Int
    ) -> [Float] {
        var out = Array(current.values[(range.lowerBound * k)..<(range.upperBound * k)])
        var r = [Float](repeating: 0, count: k)
        var p = [Float](repeating: 0, count: k)
        var ap = [Float](repeating: 0, count: k)
        fixed.values.withUnsafeBufferPointer { y in
            gram.withUnsafeBufferPointer { g in
                out.withUnsafeMutableBufferPointer { xs in
                    r.withUnsafeMutableBufferPointer { r in
                        p.withUnsafeMutableBufferPointer { p in
                            ap.withUnsafeMutableBufferPointer { ap in
                                for row in range {
                                    let x = xs.baseAddress! + (row - range.lowerBound) * k
                                    let start = interactions.offsets[row]
                                    let end = interactions.offsets[row + 1]
                                    // r = b − A x, with b = Σ cᵢ yᵢ and A x = G x + Σ (cᵢ − 1)(yᵢ·x) yᵢ.
                                    VectorMath.multiply(g.baseAddress!, x, into: r.baseAddress!, k)
                                    for index in 0..<k { r[index] = -r[index] }
                                    for position in start..<end {
                                        let item = y.baseAddress! + Int(interactions.indices[position]) * k
                                        let c = confidence(interactions.values[position])
                                        VectorMath.axpy(
                                            c - (c - 1) * VectorMath.dot(item, x, k),
                                            item,
                                            r.baseAddress!,
                                            k
                                        )
                                    }
                                    for index in 0..<k { p[index] = r[index] }
                                    var residual = VectorMath.dot(r.baseAddress!, r.baseAddress!, k)
                                    if residual < 1e-20 { continue }
                                    for _ in 0..<steps {
                                        VectorMath.multiply(g.baseAddress!, p.baseAddress!, into: ap.baseAddress!, k)
                                        for position in start..<end {
                                            let item = y.baseAddress! + Int(interactions.indices[position]) * k
                                            let c = confidence(interactions.values[position])
                                            VectorMath.axpy(
                                                (c - 1) * VectorMath.dot(item, p.baseAddress!, k),
                                                item,
                                                ap.baseAddress!,
                                                k
                                            )
                                        }
                                        let step = residual / VectorMath.dot(p.baseAddress!, ap.baseAddress!, k)
                                        VectorMath.axpy(step, p.baseAddress!, x, k)
                                        VectorMath.axpy(-step, ap.baseAddress!, r.baseAddress!, k)
                                        let next = VectorMath.dot(r.baseAddress!, r.baseAddress!, k)
                                        if next < 1e-20 { break }
                                        let beta = next / residual
                                        for index in 0..<k { p[index] = r[index] + beta * p[index] }
                                        residual = next
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    private static func warm(_ fresh: DenseMatrix, from previous: DenseMatrix) -> DenseMatrix {
        var values = fresh.values
        let k = fresh.columns
        for row in 0..<min(fresh.rows, previous.rows) {
            let slice = previous.values[(row * k)..<((row + 1) * k)]
            if slice.contains(where: { $0 != 0 }) { values.replaceSubrange((row * k)..<((row + 1) * k), with: slice) }
        }
        return DenseMatrix(rows: fresh.rows, columns: fresh.columns, values: values)
    }

    /// The objective value (for tests and monitoring): Σ over all (u,i) of c(pᵤᵢ − xᵤ·yᵢ)² plus the
    /// regularisation. O(users x items x k): only for small problems.
    package func loss(_ userItems: CSRMatrix, _ model: ALSFactors) -> Double {
        let confidence = Confidence(alpha: alpha)
        var total = 0.0
        for user in 0..<userItems.rows {
            var observed: [Int32: Float] = [:]
            for position in userItems.offsets[user]..<userItems.offsets[user + 1] {
                observed[userItems.indices[position]] = userItems.values[position]
            }
            for item in 0..<userItems.columns {
                let score = Double(model.score(user: user, item: item))
                if let weight = observed[Int32(item)] {
                    total += Double(confidence(weight)) * (1 - score) * (1 - score)
                } else {
                    total += score * score
                }
            }
        }
        let norms =
            model.users.values.reduce(0.0) { $0 + Double($1 * $1) }
            + model.items.values.reduce(0.0) { $0 + Double($1 * $1) }
        return total + Double(regularization) * norms
    }
}
