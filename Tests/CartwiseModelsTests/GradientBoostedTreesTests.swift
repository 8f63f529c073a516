import CartwiseModels
import RealModule
import Testing

@Suite struct FeatureBinnerTests {
    /// Few distinct values: midpoints between them (scikit-learn's rule).
    @Test func fewValuesSplitAtMidpoints() {
        let binner = FeatureBinner(columns: [[3, 1, 2, 2, .nan, 1]], maxBins: 255)
        #expect(binner.thresholds == [[1.5, 2.5]])
        #expect(binner.bin(1, feature: 0) == 0)
        #expect(binner.bin(1.5, feature: 0) == 0)
        #expect(binner.bin(1.6, feature: 0) == 1)
        #expect(binner.bin(99, feature: 0) == 2)
        #expect(binner.bin(.nan, feature: 0) == FeatureBinner.missingBin)
    }

    /// Many distinct values: the percentiles scikit-learn 1.9's `_find_binning_thresholds` gives
    /// (numpy's averaged_inverted_cdf, duplicates dropped); reference values printed by it.
    @Test func manyValuesSplitAtScikitLearnsPercentiles() {
        #expect(
            FeatureBinner(columns: [(0..<1000).map(Double.init)], maxBins: 4).thresholds == [[249.5, 499.5, 749.5]]
        )
        #expect(FeatureBinner(columns: [[0, 0, 0, 1, 2, 3, 3, 10]], maxBins: 3).thresholds == [[0, 3]])
        #expect(FeatureBinner(columns: [(0..<10).map { Double($0 * $0) }], maxBins: 4).thresholds == [[4, 20.5, 49]])
    }

    /// The radix sort the binner uses orders negatives, zeros and positives as a comparison sort.
    @Test func theRadixSortSortsLikeSort() {
        var random = SeededRandom(seed: 3)
        let values = (0..<5000).map { index -> Double in
            index % 97 == 0 ? -0.0 : (random.unit() - 0.5) * Double.pow(10, Double(index % 9) - 4)
        }
        #expect(FeatureBinner.radixSorted(values) == values.sorted())
    }
}

@Suite struct GradientBoostedTreesTests {
    /// One feature, two groups, one split: every value has a closed form. Baseline log(p/(1−p));
    /// each leaf −G/(H+λ)·η with g = p − y and h = p(1 − p) at the baseline.
    @Test func aStumpMatchesTheClosedForm() {
        // 100 rows with x = 0 (10 positive) and 100 with x = 1 (90 positive).
        let x = (0..<200).map { Double($0 < 100 ? 0 : 1) }
        let labels = (0..<200).map { $0 < 100 ? $0 < 10 : $0 < 190 }
        let parameters = GradientBoostedTrees.Parameters(
            learningRate: 0.3,
            iterations: 1,
            maxLeafNodes: 2,
            minSamplesLeaf: 1,
            l2: 2
        )
        let model = GradientBoostedTrees.train(columns: [x], labels: labels, parameters: parameters)
        #expect(abs(model.baseline - 0) < 1e-12)  // 100 of 200 positive
        let p = 0.5
        let h = p * (1 - p) * 100
        let low = -((p - 1) * 10 + p * 90) / (h + 2) * 0.3
        let high = -((p - 1) * 90 + p * 10) / (h + 2) * 0.3
        #expect(abs(model.margin([0]) - low) < 1e-6)
        #expect(abs(model.margin([1]) - high) < 1e-6)
        #expect(model.trees[0].nodes.count == 3)
    }

    /// The same data, parameters and probes as a scikit-learn 1.x run of
    /// `HistGradientBoostingClassifier(max_iter=10, learning_rate=0.1, max_leaf_nodes=8,
    /// min_samples_leaf=5, l2_regularization=1.0, early_stopping=False)`, including a feature
    /// with missing values: the probabilities agree.
    @Test func itAgreesWithScikitLearn() {
        var columns: [[Double]] = [[], [], []]
        var labels: [Bool] = []
        for i in 0..<400 {
            let x1 = Double(i * 37 % 101) / 10
            let x2 = Double(i * 53 % 97) / 7
            let x3 = i % 9 == 0 ? Double.nan : Double(i * 11 % 17)
            var label = ((x1 > 5) != (x2 > 7)) || (i % 9 == 0 && i % 2 == 0)
            if i * 7919 % 13 == 0 { label.toggle() }
            columns[0].append(x1)
            columns[1].append(x2)
            columns[2].append(x3)
            labels.append(label)
        }
        let model = GradientBoostedTrees.train(
            columns: columns,
            labels: labels,
            parameters: .init(learningRate: 0.1, iterations: 10, maxLeafNodes: 8, minSamplesLeaf: 5, l2: 1)
        )
        #expect(abs(model.baseline - 0.0700286) < 1e-6)
        let probes: [([Double], Double)] = [
            ([1, 1, 3], 0.25320254),
            ([9, 1, 3], 0.73292195),
            ([1, 12, .nan], 0.69033214),
            ([9, 12, 5], 0.23525504),
            ([5.05, 7, .nan], 0.71199512),
        ]
        for (row, expected) in probes {
            #expect(abs(model.probability(row) - expected) < 1e-5, "\(row)")
        }
    }

    /// Saabas contributions add up to the margin, and credit the features the label depends on.
    @Test func contributionsAddUpToTheMargin() {
        var random = SeededRandom(seed: 5)
        var columns: [[Double]] = [[], [], []]
        var labels: [Bool] = []
        for _ in 0..<3000 {
            let a = random.unit()
            let b = random.unit()
            let noise = random.unit()
            columns[0].append(a)
            columns[1].append(b)
            columns[2].append(noise)
            labels.append(random.unit() < (a > 0.7 && b > 0.5 ? 0.9 : 0.05))
        }
        let model = GradientBoostedTrees.train(columns: columns, labels: labels, parameters: .init(iterations: 30))
        for row in [[0.9, 0.9, 0.5], [0.1, 0.9, 0.5], [0.9, 0.1, 0.2]] {
            let (bias, contributions) = model.contributions(row)
            #expect(abs(bias + contributions.reduce(0, +) - model.margin(row)) < 1e-9)
        }
        // Four trees are walked at a time (30 = 7 x 4 + 2): the same attribution as one tree
        // after another, up to the order of the additions.
        var random2 = SeededRandom(seed: 11)
        for _ in 0..<200 {
            let row = (0..<3).map { _ in random2.unit() < 0.1 ? Double.nan : random2.unit() }
            var expected = [Double](repeating: 0, count: 3)
            var bias = model.baseline
            row.withUnsafeBufferPointer { values in
                expected.withUnsafeMutableBufferPointer { slots in
                    for tree in model.trees { bias += tree.contribute(values, to: slots) }
                }
            }
            let (fastBias, fast) = model.contributions(row)
            #expect(abs(fastBias - bias) < 1e-12)
            for feature in 0..<3 { #expect(abs(fast[feature] - expected[feature]) < 1e-12) }
        }
        let risky = model.contributions([0.9, 0.9, 0.5]).contributions
        #expect(risky[0] > 1 && risky[1] > 1)
        #expect(abs(risky[2]) < min(risky[0], risky[1]) / 4)
        #expect(model.probability([0.9, 0.9, 0.5]) > 0.8)
        #expect(model.probability([0.1, 0.1, 0.5]) < 0.1)
    }
}
