/// The Syntetos-Boylan-Croston classification of a demand history: how often demand occurs
/// (ADI, the average interval between non-zero periods) against how much its size varies (CV^2
/// of the non-zero sizes). The cut-offs 1.32 and 0.49 are those of Syntetos, Boylan and Croston
/// (2005), where Croston-type methods start to beat smoothing the raw series.
package enum DemandPattern: String, Sendable {
    case smooth, erratic, intermittent, lumpy

    /// - Parameter y: the history.
    /// - Returns: the class, or nil when there is no demand at all.
    package static func classify(_ y: [Double]) -> DemandPattern? {
        var sizes: [Double] = []
        for value in y where value > 0 { sizes.append(value) }
        guard !sizes.isEmpty else { return nil }
        let adi = Double(y.count) / Double(sizes.count)
        let mean = sizes.reduce(0, +) / Double(sizes.count)
        var variance = 0.0
        for size in sizes { variance += (size - mean) * (size - mean) }
        variance /= Double(sizes.count)
        let cv2 = variance / (mean * mean)
        switch (adi > 1.32, cv2 > 0.49) {
        case (false, false): return .smooth
        case (false, true): return .erratic
        case (true, false): return .intermittent
        case (true, true): return .lumpy
        }
    }
}
