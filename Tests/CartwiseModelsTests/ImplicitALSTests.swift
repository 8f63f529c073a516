import CartwiseModels
import Testing

/// Two groups of users who each interact only with their own half of the items.
private func blocks(users: Int, items: Int, perUser: Int, seed: UInt64) -> CSRMatrix {
    var random = SeededRandom(seed: seed)
    var triples: [(row: Int32, column: Int32, value: Float)] = []
    for user in 0..<users {
        let group = user % 2
        for _ in 0..<perUser {
            let item = group * (items / 2) + Int(random.next() % UInt64(items / 2))
            triples.append((Int32(user), Int32(item), Float(1 + random.next() % 3)))
        }
    }
    return CSRMatrix(rows: users, columns: items, triples: triples)
}

private func history(_ matrix: CSRMatrix, _ user: Int) -> [(item: Int, weight: Float)] {
    (matrix.offsets[user]..<matrix.offsets[user + 1]).map { (Int(matrix.indices[$0]), matrix.values[$0]) }
}

@Suite struct LinearAlgebraTests {
    @Test func choleskySolvesAKnownSystem() throws {
        // A = [[4,2,0],[2,5,1],[0,1,3]], x = [1,-1,2] gives b = A x = [2,-1,5].
        let cholesky = try #require(Cholesky([4, 2, 0, 2, 5, 1, 0, 1, 3], size: 3))
        let x = cholesky.solve([2, -1, 5])
        for (got, want) in zip(x, [1, -1, 2] as [Float]) { #expect(abs(got - want) < 1e-5) }
        #expect(Cholesky([1, 2, 2, 1], size: 2) == nil)
    }

    @Test func simdDotMatchesTheNaiveSum() {
        var random = SeededRandom(seed: 3)
        for count in [0, 1, 7, 8, 9, 64, 67] {
            let a = (0..<count).map { _ in Float(random.unit() - 0.5) }
            let b = (0..<count).map { _ in Float(random.unit() - 0.5) }
            let naive = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let fast = a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in VectorMath.dot(x.baseAddress!, y.baseAddress!, count) }
            }
            #expect(abs(fast - naive) < 1e-5, "count \(count)")
        }
    }

    @Test func csrSumsDuplicatesAndTransposes() {
        let matrix = CSRMatrix(rows: 2, columns: 3, triples: [(0, 2, 1), (0, 0, 2), (1, 1, 3), (0, 2, 4)])
        #expect(matrix.offsets == [0, 2, 3])
        #expect(matrix.indices == [0, 2, 1])
        #expect(matrix.values == [2, 5, 3])
        let transposed = matrix.transposed()
        #expect(transposed.offsets == [0, 1, 2, 3])
        #expect(transposed.indices == [0, 1, 0])
        #expect(transposed.values == [2, 3, 5])
        #expect(transposed.transposed() == matrix)
    }

    @Test func topKKeepsTheBestInOrder() {
        var random = SeededRandom(seed: 9)
        let scores = (0..<1000).map { _ in Float(random.unit()) }
        var heap = TopK(capacity: 10)
        for (item, score) in scores.enumerated() { heap.insert(item, score) }
        let expected = scores.enumerated().sorted { $0.element > $1.element }.prefix(10).map(\.offset)
        #expect(heap.sorted().map(\.item) == expected)
    }
}

@Suite struct CandidateTableTests {
    /// The table must give exactly what a full pass gives, for every user, chunk boundary and
    /// executor, or the cached `/recommend` would answer differently from the uncached one.
    @Test func eachRowEqualsAFullPassWithoutTheSeenItems() {
        let data = blocks(users: 300, items: 40, perUser: 5, seed: 4)
        let factors = ImplicitALS(factors: 6, regularization: 0.1, alpha: 2, iterations: 4).fit(data)
        let threaded: ImplicitALS.Executor = { count, job in (0..<count).reversed().map(job).reversed() }
        for width in [1, 10, 40, 80] {
            let table = CandidateTable(factors: factors, seen: data, width: width, parallel: threaded)
            #expect(table.width == min(width, 40))
            for user in 0..<data.rows {
                let seen = Set(data.indices[data.offsets[user]..<data.offsets[user + 1]].map(Int.init))
                let full = factors.recommend(vector: Array(factors.users.row(user)), k: width) { seen.contains($0) }
                let cached = table.candidates(user)
                #expect(cached.map(\.item) == full.map(\.item), "user \(user), width \(width)")
                #expect(cached.map(\.score) == full.map(\.score))
                let heaviest = history(data, user).sorted {
                    $0.weight > $1.weight || ($0.weight == $1.weight && $0.item < $1.item)
                }
                #expect(table.history(user) == heaviest.prefix(CandidateTable.historyLimit).map(\.item))
            }
            #expect(!table.covers(data.rows))
        }
        #expect(CandidateTable(factors: factors, seen: data, width: 0, parallel: ImplicitALS.serial) == .empty)
        #expect(!CandidateTable.empty.covers(0))
    }
}

@Suite struct ImplicitALSTests {
    /// With as many CG steps as factors, CG is exact: each user row must equal the closed-form
    /// least-squares solution that `FoldIn` computes with a Cholesky solve.
    @Test func conjugateGradientMatchesTheExactUserSolve() throws {
        let data = blocks(users: 40, items: 30, perUser: 6, seed: 1)
        let als = ImplicitALS(factors: 8, regularization: 0.1, alpha: 2, iterations: 3, cgSteps: 8)
        let model = als.fit(data)
        let items = model.items
        let exact = FoldIn(items: items, regularization: 0.1, alpha: 2)
        let next = als.halfStep(
            data,
            fixed: items,
            solving: model.users,
            confidence: ImplicitALS.Confidence(alpha: 2),
            parallel: ImplicitALS.serial
        )
        for user in 0..<40 {
            let want = try #require(exact.userVector(history(data, user)))
            for (got, expected) in zip(next.row(user), want) {
                let tolerance: Float = 2e-3 * max(1, abs(expected))
                #expect(abs(got - expected) < tolerance, "user \(user)")
            }
        }
    }

    /// Exact half-steps minimise the objective in their block, so the loss never rises.
    @Test func theLossNeverRisesWithExactSteps() {
        let data = blocks(users: 30, items: 24, perUser: 5, seed: 2)
        var previous = Double.infinity
        for iterations in 1...6 {
            let als = ImplicitALS(factors: 6, regularization: 0.05, alpha: 3, iterations: iterations, cgSteps: 6)
            let loss = als.loss(data, als.fit(data))
            #expect(loss <= previous + 1e-3, "iteration \(iterations)")
            previous = loss
        }
    }

    @Test func recommendationsRecoverAPlantedStructure() {
        let data = blocks(users: 200, items: 100, perUser: 8, seed: 3)
        let als = ImplicitALS(factors: 4, regularization: 0.1, alpha: 5, iterations: 10)
        let model = als.fit(data)
        var correct = 0
        var total = 0
        for user in 0..<200 {
            let seen = Set(history(data, user).map(\.item))
            let top = model.recommend(vector: Array(model.users.row(user)), k: 10) { seen.contains($0) }
            total += top.count
            correct += top.filter { ($0.item < 50) == (user % 2 == 0) }.count
        }
        #expect(Double(correct) / Double(total) > 0.95)
        let similar = model.similar(to: 3, k: 5) { _ in false }
        #expect(similar.allSatisfy { $0.item < 50 })
    }

    @Test func explanationsPointIntoTheUsersOwnGroup() throws {
        let data = blocks(users: 100, items: 60, perUser: 8, seed: 4)
        let als = ImplicitALS(factors: 12, regularization: 0.05, alpha: 4, iterations: 10)
        let model = als.fit(data)
        let foldIn = FoldIn(items: model.items, regularization: 0.05, alpha: 4)
        let user = 1
        let own = history(data, user)
        let vector = try #require(foldIn.userVector(own))
        let seen = Set(own.map(\.item))
        let top = model.recommend(vector: vector, k: 5) { seen.contains($0) }
        let reasons = foldIn.explain(own, recommended: top.map(\.item))
        for reason in reasons {
            let because = try #require(reason?.because)
            #expect(seen.contains(because))
            #expect(because >= 30)
        }
    }

    @Test func warmStartBeginsCloserToTheOptimum() {
        let data = blocks(users: 60, items: 40, perUser: 6, seed: 5)
        let trained = ImplicitALS(factors: 8, regularization: 0.05, alpha: 2, iterations: 8).fit(data)
        let oneStep = ImplicitALS(factors: 8, regularization: 0.05, alpha: 2, iterations: 1)
        let cold = oneStep.loss(data, oneStep.fit(data))
        let warm = oneStep.loss(data, oneStep.fit(data, initial: trained))
        #expect(warm < cold)
    }

    @Test func parallelChunksGiveTheSameFactorsAsSerial() {
        let data = blocks(users: 1200, items: 80, perUser: 5, seed: 6)
        let als = ImplicitALS(factors: 8, iterations: 2)
        let serial = als.fit(data)
        let reversed: ImplicitALS.Executor = { count, job in
            var results = [[Float]](repeating: [], count: count)
            for index in (0..<count).reversed() { results[index] = job(index) }
            return results
        }
        #expect(als.fit(data, parallel: reversed) == serial)
    }
}
