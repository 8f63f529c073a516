import RealModule

/// Logistic regression on binary hashed features, trained online with FTRL-Proximal
/// (McMahan et al., "Ad Click Prediction: a View from the Trenches", KDD 2013, Algorithm 1).
///
/// Per-coordinate learning rates α / (β + √nᵢ) let rare features learn fast and frequent ones
/// settle; the L1 term keeps coordinates that never earned a weight at exactly zero. The state is
/// the pair (zᵢ, nᵢ) per coordinate; weights are derived from it lazily.
package struct FTRLProximal: Sendable, Equatable {
    package struct Parameters: Sendable, Equatable {
        package var alpha: Double
        package var beta: Double
        package var l1: Double
        package var l2: Double

        package init(alpha: Double = 0.05, beta: Double = 1, l1: Double = 1, l2: Double = 1) {
            self.alpha = alpha
            self.beta = beta
            self.l1 = l1
            self.l2 = l2
        }
    }

    package let parameters: Parameters
    /// Per coordinate (zᵢ, nᵢ, wᵢ, √nᵢ), side by side: an update touches one cache line per
    /// coordinate, and keeping wᵢ and √nᵢ current costs one root and one division per update
    /// instead of three roots and a division (a prediction then only sums loads).
    private(set) var state: [Float]
    /// Examples trained on.
    package private(set) var examples = 0
    private let alpha: Float
    private let beta: Float
    private let l1: Float
    private let l2: Float
    static let stride = 4

    package init(size: Int, parameters: Parameters) {
        self.parameters = parameters
        state = [Float](repeating: 0, count: Self.stride * size)
        alpha = Float(parameters.alpha)
        beta = Float(parameters.beta)
        l1 = Float(parameters.l1)
        l2 = Float(parameters.l2)
    }

    package var size: Int { state.count / Self.stride }

    /// P(click) for an example with the given active coordinates (duplicates count twice).
    package func predict(_ features: [UInt32]) -> Double {
        var margin: Float = 0
        state.withUnsafeBufferPointer { s in
            for index in features { margin += s[Self.stride * Int(index) + 2] }
        }
        return Self.sigmoid(Double(margin))
    }

    /// One FTRL step on a labelled example.
    /// - Returns: the prediction made before the update (for progressive validation).
    @discardableResult
    package mutating func update(_ features: [UInt32], clicked: Bool) -> Double {
        let (alpha, beta, l1, l2) = (self.alpha, self.beta, self.l1, self.l2)
        let inverseAlpha = 1 / alpha
        var p = 0.0
        state.withUnsafeMutableBufferPointer { s in
            // The margin only loads wᵢ: independent loads, so their cache misses overlap.
            var margin: Float = 0
            for index in features { margin += s[Self.stride * Int(index) + 2] }
            p = Self.sigmoid(Double(margin))
            let g = Float(p - (clicked ? 1 : 0))
            let g2 = g * g
            for index in features {
                let i = Self.stride * Int(index)
                let n = s[i + 1] + g2
                let root = n.squareRoot()
                let sigma = (root - s[i + 3]) * inverseAlpha
                let z = s[i] + g - sigma * s[i + 2]
                s[i] = z
                s[i + 1] = n
                s[i + 3] = root
                // The closed-form proximal step: zero inside the L1 ball.
                s[i + 2] = abs(z) > l1 ? -(z - (z < 0 ? -l1 : l1)) / ((beta + root) * inverseAlpha + l2) : 0
            }
        }
        examples += 1
        return p
    }

    /// All weights, for a published read-only model.
    package func weights() -> [Float] {
        state.withUnsafeBufferPointer { s in (0..<size).map { s[Self.stride * $0 + 2] } }
    }

    /// Coordinates with a non-zero weight (the L1 term keeps this far below `size`).
    package var nonZeroWeights: Int {
        state.withUnsafeBufferPointer { s in (0..<size).reduce(0) { $0 + (s[Self.stride * $1 + 2] != 0 ? 1 : 0) } }
    }

    @inline(__always)
    package static func sigmoid(_ margin: Double) -> Double {
        let clipped = min(35, max(-35, margin))
        return 1 / (1 + Double.exp(-clipped))
    }
}
