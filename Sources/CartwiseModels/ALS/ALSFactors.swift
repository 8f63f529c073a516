/// Trained user and item factors: the model `/recommend` serves.
package struct ALSFactors: Sendable, Equatable {
    package let users: DenseMatrix
    package let items: DenseMatrix

    package init(users: DenseMatrix, items: DenseMatrix) {
        precondition(users.columns == items.columns, "user and item factors must have the same width")
        self.users = users
        self.items = items
    }

    package var factors: Int { users.columns }

    /// xᵤ · yᵢ.
    package func score(user: Int, item: Int) -> Float {
        users.values.withUnsafeBufferPointer { u in
            items.values.withUnsafeBufferPointer { i in
                VectorMath.dot(u.baseAddress! + user * factors, i.baseAddress! + item * factors, factors)
            }
        }
    }

    /// The `k` best items for a user vector, skipping items whose `excluded` flag is set; best first.
    /// The hot path of `/recommend`: a flag array costs a load per item where a set costs a hash.
    /// Cost: O(items × factors + items × log k).
    package func recommend(vector: [Float], k: Int, excluded: [Bool]) -> [(item: Int, score: Float)] {
        var heap = TopK(capacity: k)
        let width = factors
        vector.withUnsafeBufferPointer { v in
            items.values.withUnsafeBufferPointer { all in
                excluded.withUnsafeBufferPointer { skip in
                    var threshold = -Float.infinity
                    for item in 0..<items.rows where !(item < skip.count && skip[item]) {
                        let score = VectorMath.dot(v.baseAddress!, all.baseAddress! + item * width, width)
                        if score > threshold {
                            heap.insert(item, score)
                            if heap.isFull { threshold = heap.minimum }
                        }
                    }
                }
            }
        }
        return heap.sorted()
    }

    /// The `k` best items for a user vector, skipping those `exclude` rejects; best first.
    /// Cost: O(items × factors + items × log k).
    package func recommend(vector: [Float], k: Int, exclude: (Int) -> Bool) -> [(item: Int, score: Float)] {
        var heap = TopK(capacity: k)
        let width = factors
        vector.withUnsafeBufferPointer { v in
            items.values.withUnsafeBufferPointer { all in
                for item in 0..<items.rows where !exclude(item) {
                    heap.insert(item, VectorMath.dot(v.baseAddress!, all.baseAddress! + item * width, width))
                }
            }
        }
        return heap.sorted()
    }

    /// Items most similar to `item` by cosine of their factors; best first, the item itself excluded.
    package func similar(to item: Int, k: Int, exclude: (Int) -> Bool) -> [(item: Int, score: Float)] {
        let width = factors
        var norms = [Float](repeating: 0, count: items.rows)
        items.values.withUnsafeBufferPointer { all in
            for index in 0..<items.rows {
                let row = all.baseAddress! + index * width
                norms[index] = VectorMath.dot(row, row, width).squareRoot()
            }
        }
        guard norms[item] > 0 else { return [] }
        var heap = TopK(capacity: k)
        items.values.withUnsafeBufferPointer { all in
            let target = all.baseAddress! + item * width
            for other in 0..<items.rows where other != item && norms[other] > 0 && !exclude(other) {
                let cosine =
                    VectorMath.dot(target, all.baseAddress! + other * width, width) / (norms[item] * norms[other])
                heap.insert(other, cosine)
            }
        }
        return heap.sorted()
    }
}

/// A bounded min-heap that keeps the `capacity` highest scores seen.
package struct TopK: Sendable {
    private var entries: [(item: Int, score: Float)] = []
    package let capacity: Int

    package init(capacity: Int) {
        self.capacity = max(0, capacity)
        entries.reserveCapacity(self.capacity)
    }

    package var isFull: Bool { entries.count >= capacity }

    /// The lowest score kept (the one a new item must beat once the heap is full).
    package var minimum: Float { entries.first?.score ?? -.infinity }

    package mutating func insert(_ item: Int, _ score: Float) {
        guard capacity > 0 else { return }
        if entries.count < capacity {
            entries.append((item, score))
            siftUp(entries.count - 1)
        } else if score > entries[0].score {
            entries[0] = (item, score)
            siftDown(0)
        }
    }

    /// Best first.
    package func sorted() -> [(item: Int, score: Float)] {
        entries.sorted { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].score < entries[parent].score else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].score < entries[smallest].score { smallest = left }
            if right < entries.count && entries[right].score < entries[smallest].score { smallest = right }
            guard smallest != parent else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
