/// Expected uplift: the response probability if contacted minus that if not, from
/// gradient-boosted trees.
///
/// Two learners (docs/campaigns.md, "Choosing the learner", has the figures):
/// - ``Learner/interaction`` (the default): one model on all exposures whose features are the
///   customer's x, a copy of x that only the treated carry (missing for the control group) and
///   the treatment flag. The base response is learned once from both arms; trees split on the
///   copy only where the treated respond differently. Uplift = f(x, treated) − f(x, control).
/// - ``Learner/twoModel``: one model per arm (a T-learner); uplift = f₁(x) − f₀(x). Each arm
///   learns the base response on its own, and the difference of two noisy fits is noisier.
/// On the Hillstrom campaign's training split (out-of-fold, same trees) the interaction
/// learner ranked customers better, and it did on the test split too.
///
/// Each is bagged: ``UpliftLearner/Parameters/bags`` fits average over different held-out
/// splits (each fit stops early on its own), which steadies a ranking built on a faint signal.
package struct UpliftModel: Sendable, Equatable {
    package enum Learner: String, Sendable, CaseIterable {
        case interaction
        case twoModel = "two_model"
    }

    package let learner: Learner
    /// Interaction: the bags' models. Two-model: the treated arm's, per bag.
    package let first: [GradientBoostedTrees]
    /// Two-model: the control arm's, per bag; empty for the interaction learner.
    package let second: [GradientBoostedTrees]
    /// The width of a customer's row (before the interaction copy).
    package let featureCount: Int

    package init(learner: Learner, first: [GradientBoostedTrees], second: [GradientBoostedTrees], featureCount: Int) {
        precondition(!first.isEmpty, "at least one bag")
        precondition(learner == .interaction ? second.isEmpty : second.count == first.count, "one pair per bag")
        self.learner = learner
        self.first = first
        self.second = second
        self.featureCount = featureCount
    }

    /// The trees of every model.
    package var treeCount: Int { (first + second).reduce(0) { $0 + $1.trees.count } }

    /// The response probabilities if contacted and if not (each the bags' mean), and their
    /// difference.
    package func predict(_ row: [Double]) -> (treated: Double, control: Double, uplift: Double) {
        let bags = Double(first.count)
        switch learner {
        case .interaction:
            let treatedRow = UpliftLearner.interaction(row, treated: true)
            let controlRow = UpliftLearner.interaction(row, treated: false)
            let treated = first.reduce(0) { $0 + $1.probability(treatedRow) } / bags
            let control = first.reduce(0) { $0 + $1.probability(controlRow) } / bags
            return (treated, control, treated - control)
        case .twoModel:
            let treated = first.reduce(0) { $0 + $1.probability(row) } / bags
            let control = second.reduce(0) { $0 + $1.probability(row) } / bags
            return (treated, control, treated - control)
        }
    }
}

/// Why an uplift model could not be trained.
package enum UpliftError: Error, Equatable, CustomStringConvertible {
    /// An arm has too few exposures to learn its response from.
    case tooFewExposures(treated: Int, control: Int, needed: Int)

    package var description: String {
        switch self {
        case .tooFewExposures(let treated, let control, let needed):
            return "\(treated) treated and \(control) control exposures with a closed attribution window; "
                + "each arm needs at least \(needed)"
        }
    }
}

/// Trains an ``UpliftModel``.
package enum UpliftLearner {
    package struct Parameters: Sendable, Equatable {
        package var learner = UpliftModel.Learner.interaction
        /// Shallow trees and a small step: the effect is a few points, and a deep tree learns
        /// the noise of a 15 % response rate instead (docs/campaigns.md has the sweep).
        package var trees = GradientBoostedTrees.Parameters(
            learningRate: 0.05,
            iterations: 2000,
            maxLeafNodes: 3,
            minSamplesLeaf: 20,
            l2: 0
        )
        /// The share held out to choose the number of trees.
        package var validationShare = 0.2
        package var patience = 10
        package var seed: UInt64 = 0
        /// Fits averaged, each with its own held-out split.
        package var bags = 32
        /// The fewest exposures per arm.
        package var minimumPerArm = 50

        package init() {}
    }

    /// A row with the interaction copy: x, then x again for the treated (NaN for the control
    /// group), then the treatment flag.
    package static func interaction(_ row: [Double], treated: Bool) -> [Double] {
        var out = row
        out.reserveCapacity(row.count * 2 + 1)
        if treated {
            out += row
        } else {
            out += [Double](repeating: .nan, count: row.count)
        }
        out.append(treated ? 1 : 0)
        return out
    }

    /// Trains the model.
    /// - Parameters:
    ///   - rows: one feature row per exposure (NaN = missing), all the same length.
    ///   - treated: whether each exposure was contacted (false: the control group).
    ///   - responded: whether each responded within the attribution window.
    ///   - parameters: the learner, trees, validation share, bags and seed.
    ///   - parallel: runs the independent fits (the bags; two per bag for two models), on as
    ///     many threads as it likes, and returns their models in job order.
    /// - Returns: the model.
    /// - Throws: ``UpliftError/tooFewExposures(treated:control:needed:)``.
    package static func train(
        rows: [[Double]],
        treated: [Bool],
        responded: [Bool],
        parameters: Parameters = Parameters(),
        parallel: Executor = UpliftLearner.serial
    ) throws(UpliftError) -> UpliftModel {
        precondition(rows.count == treated.count && rows.count == responded.count, "one label per row")
        let treatedRows = treated.indices.filter { treated[$0] }
        let controlRows = treated.indices.filter { !treated[$0] }
        guard treatedRows.count >= parameters.minimumPerArm, controlRows.count >= parameters.minimumPerArm else {
            throw .tooFewExposures(
                treated: treatedRows.count,
                control: controlRows.count,
                needed: parameters.minimumPerArm
            )
        }
        let featureCount = rows.first?.count ?? 0
        let bags = max(1, parameters.bags)
        switch parameters.learner {
        case .interaction:
            let augmented = rows.indices.map { interaction(rows[$0], treated: treated[$0]) }
            let all = Array(rows.indices)
            let models = parallel(bags) { bag in
                fit(augmented, responded, all, parameters, seed: parameters.seed &+ UInt64(bag))
            }
            return UpliftModel(learner: .interaction, first: models, second: [], featureCount: featureCount)
        case .twoModel:
            // Job 2b fits bag b's treated arm, job 2b + 1 its control arm.
            let models = parallel(2 * bags) { job in
                fit(
                    rows,
                    responded,
                    job % 2 == 0 ? treatedRows : controlRows,
                    parameters,
                    seed: parameters.seed &+ UInt64(job)
                )
            }
            return UpliftModel(
                learner: .twoModel,
                first: stride(from: 0, to: models.count, by: 2).map { models[$0] },
                second: stride(from: 1, to: models.count, by: 2).map { models[$0] },
                featureCount: featureCount
            )
        }
    }

    package typealias Executor =
        @Sendable (
            _ count: Int, _ job: @escaping @Sendable (Int) -> GradientBoostedTrees
        ) -> [GradientBoostedTrees]

    /// Runs the fits one after another on the caller's thread.
    package static let serial: Executor = { count, job in (0..<count).map(job) }

    /// One model on `subset`, early-stopped on a seeded random share of it.
    private static func fit(
        _ rows: [[Double]],
        _ responded: [Bool],
        _ subset: [Int],
        _ parameters: Parameters,
        seed: UInt64
    ) -> GradientBoostedTrees {
        var random = SeededRandom(seed: seed)
        var fitting: [Int] = []
        var holding: [Int] = []
        for row in subset {
            if random.unit() < parameters.validationShare { holding.append(row) } else { fitting.append(row) }
        }
        let width = rows.first?.count ?? 0
        var columns = [[Double]](repeating: [], count: width)
        for feature in 0..<width {
            columns[feature] = fitting.map { rows[$0][feature] }
        }
        return GradientBoostedTrees.train(
            columns: columns,
            labels: fitting.map { responded[$0] },
            validationRows: holding.map { rows[$0] },
            validationLabels: holding.map { responded[$0] },
            parameters: parameters.trees,
            patience: parameters.patience
        )
    }
}
