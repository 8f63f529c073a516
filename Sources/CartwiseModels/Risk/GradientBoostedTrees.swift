import RealModule

/// Histogram-based gradient-boosted decision trees with logistic loss, grown leaf-wise, as
/// scikit-learn's `HistGradientBoostingClassifier` and LightGBM build them.
///
/// Each iteration fits one tree to the loss's gradients g = p − y and hessians h = p(1 − p).
/// A node's histogram sums g and h per feature bin; the best split maximises
/// G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), and the node with the largest gain is split next
/// until `maxLeafNodes`. Only the smaller child's histogram is built; the larger one is the
/// parent's minus it. Leaves predict −G/(H+λ) times the learning rate. The L2 term λ matters
/// on rare-positive data: without it the first trees' leaves diverge (see the fraud anchors).
package struct GradientBoostedTrees: Sendable, Equatable {
    package struct Parameters: Sendable, Equatable {
        package var learningRate: Double
        package var iterations: Int
        package var maxLeafNodes: Int
        package var minSamplesLeaf: Int
        package var l2: Double
        package var maxBins: Int
        /// A child needs at least this much hessian (scikit-learn's `min_hessian_to_split`).
        package var minHessian: Double

        package init(
            learningRate: Double = 0.1,
            iterations: Int = 100,
            maxLeafNodes: Int = 31,
            minSamplesLeaf: Int = 20,
            l2: Double = 1,
            maxBins: Int = 255,
            minHessian: Double = 1e-3
        ) {
            self.learningRate = learningRate
            self.iterations = iterations
            self.maxLeafNodes = maxLeafNodes
            self.minSamplesLeaf = minSamplesLeaf
            self.l2 = l2
            self.maxBins = maxBins
            self.minHessian = minHessian
        }
    }

    /// The log-odds of the training prior: what the model says before any tree.
    package let baseline: Double
    package let trees: [DecisionTree]
    package let featureCount: Int
    /// Every tree's nodes in one array, children as positions in it, and each tree's root:
    /// ``contributions(_:)`` walks four trees at a time, so that four chains of dependent loads
    /// and branches overlap instead of running one after another.
    private let nodes: [DecisionTree.Node]
    private let roots: [Int]

    package init(baseline: Double, trees: [DecisionTree], featureCount: Int) {
        self.baseline = baseline
        self.trees = trees
        self.featureCount = featureCount
        var nodes: [DecisionTree.Node] = []
        var roots: [Int] = []
        for tree in trees {
            let offset = Int32(nodes.count)
            roots.append(nodes.count)
            for var node in tree.nodes {
                if !node.isLeaf {
                    node.left += offset
                    node.right += offset
                }
                nodes.append(node)
            }
        }
        self.nodes = nodes
        self.roots = roots
    }

    package static func == (lhs: GradientBoostedTrees, rhs: GradientBoostedTrees) -> Bool {
        lhs.baseline == rhs.baseline && lhs.trees == rhs.trees && lhs.featureCount == rhs.featureCount
    }

    /// The log-odds for one row (`featureCount` values, NaN = missing).
    package func margin(_ row: [Double]) -> Double {
        precondition(row.count == featureCount, "one value per feature")
        return row.withUnsafeBufferPointer { values in
            trees.reduce(baseline) { $0 + $1.predict(values) }
        }
    }

    package func probability(_ row: [Double]) -> Double { Self.sigmoid(margin(row)) }

    /// The margin split into a bias and one contribution per feature (Saabas path attribution):
    /// `bias + contributions.sum()` equals ``margin(_:)``.
    package func contributions(_ row: [Double]) -> (bias: Double, contributions: [Double]) {
        precondition(row.count == featureCount, "one value per feature")
        var contributions = [Double](repeating: 0, count: featureCount)
        var bias = baseline
        row.withUnsafeBufferPointer { values in
            contributions.withUnsafeMutableBufferPointer { slots in
                nodes.withUnsafeBufferPointer { nodes in
                    var next = 0
                    while next + 4 <= roots.count {
                        var cursors = (roots[next], roots[next + 1], roots[next + 2], roots[next + 3])
                        bias +=
                            nodes[cursors.0].value + nodes[cursors.1].value + nodes[cursors.2].value
                            + nodes[cursors.3].value
                        var moving = true
                        while moving {
                            let a = DecisionTree.step(&cursors.0, nodes, values, slots)
                            let b = DecisionTree.step(&cursors.1, nodes, values, slots)
                            let c = DecisionTree.step(&cursors.2, nodes, values, slots)
                            let d = DecisionTree.step(&cursors.3, nodes, values, slots)
                            moving = a || b || c || d
                        }
                        next += 4
                    }
                    for root in roots[next...] {
                        var cursor = root
                        bias += nodes[cursor].value
                        while DecisionTree.step(&cursor, nodes, values, slots) {}
                    }
                }
            }
        }
        return (bias, contributions)
    }

    @inline(__always)
    package static func sigmoid(_ margin: Double) -> Double {
        1 / (1 + Double.exp(-min(35, max(-35, margin))))
    }

    /// The log-odds of the labels' positive share (clamped away from 0 and 1): every model's
    /// starting margin.
    static func baseline(_ labels: [Bool]) -> Double {
        let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        let prior = min(max(Double(positives) / Double(max(labels.count, 1)), 1e-12), 1 - 1e-12)
        return Double.log(prior / (1 - prior))
    }

    /// Trains on feature-major `columns` (NaN = missing) and labels.
    package static func train(
        columns: [[Double]],
        labels: [Bool],
        parameters: Parameters = Parameters()
    ) -> GradientBoostedTrees {
        let binner = FeatureBinner(columns: columns, maxBins: parameters.maxBins)
        return train(binned: binner.bin(columns: columns), binner: binner, labels: labels, parameters: parameters)
    }

    /// Trains on columns already binned by `binner`.
    package static func train(
        binned: [[UInt8]],
        binner: FeatureBinner,
        labels: [Bool],
        parameters: Parameters
    ) -> GradientBoostedTrees {
        let rows = labels.count
        precondition(binned.allSatisfy { $0.count == rows }, "one value per row in every column")
        let baseline = baseline(labels)
        guard rows > 0, !binned.isEmpty else {
            return GradientBoostedTrees(baseline: baseline, trees: [], featureCount: binned.count)
        }
        var grower = TreeGrower(binned: binned, binner: binner, parameters: parameters)
        var raw = [Double](repeating: baseline, count: rows)
        var trees: [DecisionTree] = []
        trees.reserveCapacity(parameters.iterations)
        for _ in 0..<parameters.iterations {
            grower.setGradients(raw: raw, labels: labels)
            trees.append(grower.grow(updating: &raw))
        }
        return GradientBoostedTrees(baseline: baseline, trees: trees, featureCount: binned.count)
    }
}
