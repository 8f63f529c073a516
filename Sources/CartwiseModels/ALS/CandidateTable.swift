/// Each user's best unseen items, ranked once per training.
///
/// Scoring every item for every request costs O(items × factors): about a quarter of a
/// millisecond for 20,000 items and 64 factors, which at 16 concurrent requests on two cores
/// queues into milliseconds. The factors only change when a new model is trained, so the common
/// request (a known user with no events since training) can read a precomputed list instead;
/// recommendation caches in Gorse work the same way. Requests whose filters exhaust the list,
/// and users with newer events, still score all items.
package struct CandidateTable: Sendable, Equatable {
    /// Candidates kept per user (rows are padded with -1 when a user has fewer unseen items).
    package let width: Int
    /// `users × width` item indices, best first.
    package let items: [Int32]
    /// The scores (xᵤ · yᵢ) of ``items``.
    package let scores: [Float]
    /// Per user, the heaviest seen items (weight descending, then index ascending), at most
    /// ``historyLimit``: what the request path would derive from the store to explain a
    /// recommendation, fixed here because a cached answer is only used while it is unchanged.
    package let historyOffsets: [Int]
    package let history: [Int32]

    /// History items kept per user for explanations.
    package static let historyLimit = 50

    package static let empty = CandidateTable(width: 0, items: [], scores: [], historyOffsets: [0], history: [])

    package init(width: Int, items: [Int32], scores: [Float], historyOffsets: [Int], history: [Int32]) {
        precondition(items.count == scores.count, "one score per candidate")
        precondition(width == 0 ? items.isEmpty : items.count % width == 0, "whole rows only")
        precondition(historyOffsets.first == 0 && historyOffsets.last == history.count, "history offsets span it")
        self.width = width
        self.items = items
        self.scores = scores
        self.historyOffsets = historyOffsets
        self.history = history
    }

    /// Ranks the top `width` items of every user, excluding the items of that user's row in `seen`.
    ///
    /// Uses the same dot product and tie order as ``ALSFactors/recommend(vector:k:excluded:)``, so
    /// a cached list equals the one a full pass would return.
    /// - Precondition: fewer than 2²⁴ items (indices travel through the executor as exact floats).
    package init(factors: ALSFactors, seen: CSRMatrix, width: Int, parallel: ImplicitALS.Executor) {
        let users = factors.users.rows
        let itemCount = factors.items.rows
        precondition(itemCount < 1 << 24, "candidate indices must be exact in Float")
        precondition(seen.rows == users, "one seen row per user")
        let width = max(0, min(width, itemCount))
        guard width > 0, users > 0 else {
            self = .empty
            return
        }
        let chunk = 256
        let chunks = (users + chunk - 1) / chunk
        let parts = parallel(chunks) { part in
            let lower = part * chunk
            let upper = min(users, lower + chunk)
            var out: [Float] = []
            out.reserveCapacity((upper - lower) * width * 2)
            var mask = [Bool](repeating: false, count: itemCount)
            for user in lower..<upper {
                let row = seen.offsets[user]..<seen.offsets[user + 1]
                for position in row { mask[Int(seen.indices[position])] = true }
                let top = factors.recommend(vector: Array(factors.users.row(user)), k: width, excluded: mask)
                for position in row { mask[Int(seen.indices[position])] = false }
                for slot in 0..<width { out.append(slot < top.count ? top[slot].score : 0) }
                for slot in 0..<width { out.append(slot < top.count ? Float(top[slot].item) : -1) }
            }
            return out
        }
        var items: [Int32] = []
        var scores: [Float] = []
        items.reserveCapacity(users * width)
        scores.reserveCapacity(users * width)
        for part in parts {
            var start = 0
            while start < part.count {
                scores.append(contentsOf: part[start..<(start + width)])
                items.append(contentsOf: part[(start + width)..<(start + 2 * width)].map { Int32($0) })
                start += 2 * width
            }
        }
        var historyOffsets = [0]
        var history: [Int32] = []
        historyOffsets.reserveCapacity(users + 1)
        for user in 0..<users {
            let heaviest = (seen.offsets[user]..<seen.offsets[user + 1]).sorted {
                seen.values[$0] > seen.values[$1]
                    || (seen.values[$0] == seen.values[$1] && seen.indices[$0] < seen.indices[$1])
            }
            history.append(contentsOf: heaviest.prefix(Self.historyLimit).map { seen.indices[$0] })
            historyOffsets.append(history.count)
        }
        self.init(width: width, items: items, scores: scores, historyOffsets: historyOffsets, history: history)
    }

    /// Whether `user` has a row (a table from an older model, or an empty one, has none).
    package func covers(_ user: Int) -> Bool { width > 0 && (user + 1) * width <= items.count }

    /// The user's heaviest seen items at training time (see ``history``).
    package func history(_ user: Int) -> [Int] {
        guard user + 1 < historyOffsets.count else { return [] }
        return history[historyOffsets[user]..<historyOffsets[user + 1]].map(Int.init)
    }

    /// The user's candidates, best first, without the padding.
    package func candidates(_ user: Int) -> [(item: Int, score: Float)] {
        guard covers(user) else { return [] }
        var result: [(item: Int, score: Float)] = []
        result.reserveCapacity(width)
        for slot in (user * width)..<((user + 1) * width) where items[slot] >= 0 {
            result.append((Int(items[slot]), scores[slot]))
        }
        return result
    }
}
