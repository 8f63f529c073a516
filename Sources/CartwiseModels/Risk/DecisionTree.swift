/// One regression tree of a boosted ensemble, flat: node 0 is the root.
///
/// Every node keeps the value it would predict as a leaf (−G / (H + λ), shrunk by the learning
/// rate), so a prediction can be split into per-feature contributions along its path
/// (Saabas): each split moves the prediction from the parent's value to the child's, and that
/// move is credited to the split's feature.
package struct DecisionTree: Sendable, Equatable {
    package struct Node: Sendable, Equatable {
        /// The split feature, or -1 for a leaf.
        package var feature: Int32
        /// Values `<=` the threshold go left.
        package var threshold: Double
        package var missingGoesLeft: Bool
        package var left: Int32
        package var right: Int32
        package var value: Double
        /// Training rows that reached the node.
        package var count: Int32

        package var isLeaf: Bool { feature < 0 }
    }

    package var nodes: [Node]

    package init(nodes: [Node]) {
        self.nodes = nodes
    }

    /// The leaf a row reaches (`row[feature]`, NaN = missing).
    @inline(__always)
    package func leaf(_ row: UnsafeBufferPointer<Double>) -> Int {
        var index = 0
        while true {
            let node = nodes[index]
            if node.isLeaf { return index }
            let value = row[Int(node.feature)]
            let left = value.isNaN ? node.missingGoesLeft : value <= node.threshold
            index = Int(left ? node.left : node.right)
        }
    }

    package func predict(_ row: UnsafeBufferPointer<Double>) -> Double {
        nodes[leaf(row)].value
    }

    /// Adds each split's move along the row's path to `contributions[feature]`.
    /// - Parameters:
    ///   - row: the features (NaN = missing).
    ///   - contributions: one slot per feature; pointers, because a scored order walks 100 trees
    ///     and an array's uniqueness and bounds checks then cost more than the walk.
    /// - Returns: the root's value (the tree's share of the bias).
    package func contribute(
        _ row: UnsafeBufferPointer<Double>,
        to contributions: UnsafeMutableBufferPointer<Double>
    ) -> Double {
        nodes.withUnsafeBufferPointer { nodes in
            var index = 0
            while Self.step(&index, nodes, row, contributions) {}
            return nodes[0].value
        }
    }

    /// Moves `cursor` one node down, crediting the split's feature with the change in the
    /// node's value (Saabas); false at a leaf. `nodes` may hold several trees with children as
    /// positions in it (``GradientBoostedTrees`` walks four at a time).
    @inline(__always)
    static func step(
        _ cursor: inout Int,
        _ nodes: UnsafeBufferPointer<Node>,
        _ row: UnsafeBufferPointer<Double>,
        _ contributions: UnsafeMutableBufferPointer<Double>
    ) -> Bool {
        let node = nodes[cursor]
        if node.isLeaf { return false }
        let feature = Int(node.feature)
        let value = row[feature]
        let left = value.isNaN ? node.missingGoesLeft : value <= node.threshold
        let next = Int(left ? node.left : node.right)
        contributions[feature] += nodes[next].value - node.value
        cursor = next
        return true
    }
}
