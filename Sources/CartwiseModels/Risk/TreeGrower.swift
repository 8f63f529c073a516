import RealModule

/// Grows one tree of ``GradientBoostedTrees`` on binned columns, reusing its buffers across
/// iterations: the row order (rows of a node are contiguous), the gradients, and the histograms.
struct TreeGrower {
    /// Per feature and bin, the sums of (gradient, hessian) and the row count over a node's
    /// rows whose value falls in the bin. The sums are one 16-byte vector: one load and one
    /// store per row and feature instead of two.
    struct Histogram {
        var sums: [SIMD2<Double>]
        var counts: [Int32]

        init(cells: Int) {
            sums = [SIMD2<Double>](repeating: .zero, count: cells)
            counts = [Int32](repeating: 0, count: cells)
        }

        static let empty = Histogram(cells: 0)
    }

    struct Split {
        var feature: Int
        var bin: Int
        var missingGoesLeft: Bool
        var gain: Double
        var leftCount: Int
        /// The left child's sums, as the scan accumulated them (the right child's are the
        /// parent's minus these, as scikit-learn derives them).
        var leftGradient: Double
        var leftHessian: Double
    }

    /// A node still being grown: its rows, its sums, its histogram and its best split.
    struct Open {
        var node: Int
        var start: Int
        var end: Int
        var gradient: Double
        var hessian: Double
        var histogram: Histogram
        var split: Split?
    }

    static let cellsPerFeature = 256

    let binned: [[UInt8]]
    let binner: FeatureBinner
    let parameters: GradientBoostedTrees.Parameters
    let rows: Int
    let features: Int
    /// Features with more than one bin: a constant (or always missing) one can never split.
    let active: [Int]
    /// Features with missing values anywhere in the training data.
    let hasMissing: [Bool]
    var gradients: [Float]
    var hessians: [Float]
    var order: [Int32]
    var scratch: [Int32]
    /// A node's (gradient, hessian) pairs in row order, gathered once for all features.
    var ordered: [SIMD2<Double>]

    init(binned: [[UInt8]], binner: FeatureBinner, parameters: GradientBoostedTrees.Parameters) {
        self.binned = binned
        self.binner = binner
        self.parameters = parameters
        rows = binned.first?.count ?? 0
        features = binned.count
        let hasMissing = binned.map { $0.contains(FeatureBinner.missingBin) }
        self.hasMissing = hasMissing
        active = (0..<binned.count).filter { feature in
            binner.binCount(feature) > 1
                || (hasMissing[feature] && binned[feature].contains { $0 != FeatureBinner.missingBin })
        }
        gradients = [Float](repeating: 0, count: rows)
        hessians = [Float](repeating: 0, count: rows)
        order = (0..<Int32(rows)).map { $0 }
        scratch = order
        ordered = [SIMD2<Double>](repeating: .zero, count: rows)
    }

    mutating func setGradients(raw: [Double], labels: [Bool]) {
        for row in 0..<rows {
            let p = GradientBoostedTrees.sigmoid(raw[row])
            gradients[row] = Float(p - (labels[row] ? 1 : 0))
            hessians[row] = Float(p * (1 - p))
        }
    }

    /// Grows a tree and adds its leaves' values to `raw`.
    mutating func grow(updating raw: inout [Double]) -> DecisionTree {
        for row in 0..<rows { order[row] = Int32(row) }
        var nodes: [DecisionTree.Node] = []
        var gradient = 0.0
        var hessian = 0.0
        for row in 0..<rows {
            gradient += Double(gradients[row])
            hessian += Double(hessians[row])
        }
        nodes.append(leafNode(gradient: gradient, hessian: hessian, count: rows))
        var root = Open(
            node: 0,
            start: 0,
            end: rows,
            gradient: gradient,
            hessian: hessian,
            histogram: .empty,
            split: nil
        )
        root.histogram = histogram(start: 0, end: rows)
        root.split = bestSplit(root)
        var open = [root]
        var leaves = 1
        while leaves < parameters.maxLeafNodes {
            var bestIndex = -1
            var bestGain = 0.0
            for (index, candidate) in open.enumerated() {
                if let split = candidate.split, split.gain > bestGain {
                    bestGain = split.gain
                    bestIndex = index
                }
            }
            guard bestIndex >= 0 else { break }
            let parent = open.remove(at: bestIndex)
            let split = parent.split!
            let middle = partition(parent, split)
            var left = Open(
                node: nodes.count,
                start: parent.start,
                end: middle,
                gradient: 0,
                hessian: 0,
                histogram: .empty,
                split: nil
            )
            var right = Open(
                node: nodes.count + 1,
                start: middle,
                end: parent.end,
                gradient: 0,
                hessian: 0,
                histogram: .empty,
                split: nil
            )
            // The smaller child's histogram is built; the larger one's is the parent's minus it.
            let leftIsSmaller = middle - parent.start <= parent.end - middle
            var small = leftIsSmaller ? left : right
            small.histogram = histogram(start: small.start, end: small.end)
            var large = parent.histogram
            for cell in 0..<large.sums.count {
                large.sums[cell] -= small.histogram.sums[cell]
                large.counts[cell] -= small.histogram.counts[cell]
            }
            if leftIsSmaller {
                left = small
                right.histogram = large
            } else {
                right = small
                left.histogram = large
            }
            for child in [0, 1] {
                var node = child == 0 ? left : right
                let g = child == 0 ? split.leftGradient : parent.gradient - split.leftGradient
                let h = child == 0 ? split.leftHessian : parent.hessian - split.leftHessian
                node.gradient = g
                node.hessian = h
                nodes.append(leafNode(gradient: g, hessian: h, count: node.end - node.start))
                node.split = bestSplit(node)
                if child == 0 { left = node } else { right = node }
            }
            nodes[parent.node].feature = Int32(split.feature)
            let cuts = binner.thresholds[split.feature]
            // Past the last threshold: every present value goes left, missing ones right.
            nodes[parent.node].threshold = split.bin < cuts.count ? cuts[split.bin] : .infinity
            nodes[parent.node].missingGoesLeft = split.missingGoesLeft
            nodes[parent.node].left = Int32(left.node)
            nodes[parent.node].right = Int32(right.node)
            open.append(left)
            open.append(right)
            leaves += 1
        }
        // Every node never split is a leaf: its rows move by its value.
        for leaf in open {
            let value = nodes[leaf.node].value
            for position in leaf.start..<leaf.end { raw[Int(order[position])] += value }
        }
        return DecisionTree(nodes: nodes)
    }

    private func leafNode(gradient: Double, hessian: Double, count: Int) -> DecisionTree.Node {
        DecisionTree.Node(
            feature: -1,
            threshold: 0,
            missingGoesLeft: false,
            left: -1,
            right: -1,
            value: -gradient / (hessian + parameters.l2) * parameters.learningRate,
            count: Int32(count)
        )
    }

    /// Sums gradients and hessians per feature and bin over `order[start..<end]`: the node's
    /// gradients are gathered once (as Doubles), then each feature's bins are read through the
    /// row order.
    private mutating func histogram(start: Int, end: Int) -> Histogram {
        var histogram = Histogram(cells: features * Self.cellsPerFeature)
        let count = end - start
        for position in 0..<count {
            let row = Int(order[start + position])
            ordered[position] = SIMD2(Double(gradients[row]), Double(hessians[row]))
        }
        let whole = start == 0 && end == rows
        histogram.sums.withUnsafeMutableBufferPointer { sums in
            histogram.counts.withUnsafeMutableBufferPointer { counts in
                order.withUnsafeBufferPointer { order in
                    ordered.withUnsafeBufferPointer { gh in
                        for feature in active {
                            binned[feature].withUnsafeBufferPointer { column in
                                let base = feature * Self.cellsPerFeature
                                let sum = sums.baseAddress! + base
                                let number = counts.baseAddress! + base
                                if whole {
                                    for row in 0..<count {
                                        let bin = Int(column[row])
                                        sum[bin] += gh[row]
                                        number[bin] += 1
                                    }
                                } else {
                                    let rows = order.baseAddress! + start
                                    for position in 0..<count {
                                        let bin = Int(column[Int(rows[position])])
                                        sum[bin] += gh[position]
                                        number[bin] += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return histogram
    }

    /// The best split of a node over all features and thresholds, with missing values tried on
    /// each side; nil when no split leaves `minSamplesLeaf` rows and `minHessian` on both sides
    /// and improves the loss.
    private func bestSplit(_ node: Open) -> Split? {
        let count = node.end - node.start
        guard count >= 2 * parameters.minSamplesLeaf else { return nil }
        let lambda = parameters.l2
        let minimum = Int32(parameters.minSamplesLeaf)
        let parentScore = node.gradient * node.gradient / (node.hessian + lambda)
        var best: Split?
        node.histogram.sums.withUnsafeBufferPointer { sums in
            node.histogram.counts.withUnsafeBufferPointer { counts in
                for feature in active {
                    let base = feature * Self.cellsPerFeature
                    let bins = binner.binCount(feature)
                    let missing = base + Int(FeatureBinner.missingBin)
                    // As scikit-learn scans: missing values right (then every value bin may go
                    // left, the last split being "present vs missing"), then missing values left.
                    for missingLeft in hasMissing[feature] ? [false, true] : [false] {
                        var g = missingLeft ? sums[missing].x : 0
                        var h = missingLeft ? sums[missing].y : 0
                        var n = missingLeft ? counts[missing] : 0
                        let last = hasMissing[feature] && !missingLeft ? bins : bins - 1
                        for bin in 0..<last {
                            g += sums[base + bin].x
                            h += sums[base + bin].y
                            n += counts[base + bin]
                            let rightCount = Int32(count) - n
                            if n < minimum || h < parameters.minHessian { continue }
                            if rightCount < minimum { break }
                            let rightHessian = node.hessian - h
                            if rightHessian < parameters.minHessian { break }
                            let rightGradient = node.gradient - g
                            let gain =
                                g * g / (h + lambda) + rightGradient * rightGradient / (rightHessian + lambda)
                                - parentScore
                            if gain > (best?.gain ?? 0) {
                                // A feature never missing in training sends missing values to the
                                // larger side later (as scikit-learn does).
                                let goesLeft = hasMissing[feature] ? missingLeft : n >= rightCount
                                best = Split(
                                    feature: feature,
                                    bin: bin,
                                    missingGoesLeft: goesLeft,
                                    gain: gain,
                                    leftCount: Int(n),
                                    leftGradient: g,
                                    leftHessian: h
                                )
                            }
                        }
                    }
                }
            }
        }
        return best
    }

    /// Reorders the node's rows so those going left come first.
    /// - Returns: where the right child's rows start.
    private mutating func partition(_ node: Open, _ split: Split) -> Int {
        let column = binned[split.feature]
        let threshold = UInt8(split.bin)
        var left = node.start
        var right = 0
        for position in node.start..<node.end {
            let row = order[position]
            let bin = column[Int(row)]
            let goesLeft = bin == FeatureBinner.missingBin ? split.missingGoesLeft : bin <= threshold
            if goesLeft {
                order[left] = row
                left += 1
            } else {
                scratch[right] = row
                right += 1
            }
        }
        for index in 0..<right { order[left + index] = scratch[index] }
        return left
    }
}
