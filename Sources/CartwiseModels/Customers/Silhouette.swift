/// The silhouette of a clustering (Rousseeuw 1987): for each point, how much closer it is to its
/// own cluster than to the next one, (b - a) / max(a, b), averaged. It is what chooses k when
/// none is configured: inertia always falls as k grows, the silhouette does not.
package enum Silhouette {
    /// The mean silhouette over `rows` (every point when nil), with distances to the other points
    /// of `rows` only: O(m²) for m rows, so a large cohort is scored on a sample.
    /// - Parameters:
    ///   - points: row-major, n × dimensions.
    ///   - dimensions: coordinates per point.
    ///   - labels: each point's cluster, 0..<k.
    ///   - k: the number of clusters.
    ///   - rows: the points to score and compare among.
    /// - Returns: the mean in [-1, 1]; 0 for a single cluster (as scikit-learn refuses it, it
    ///   is no evidence either way).
    package static func score(
        points: [Double],
        dimensions: Int,
        labels: [Int32],
        k: Int,
        rows: [Int]? = nil
    ) -> Double {
        let chosen = rows ?? Array(0..<labels.count)
        guard k > 1, chosen.count > 1 else { return 0 }
        var sizes = [Int](repeating: 0, count: k)
        for row in chosen { sizes[Int(labels[row])] += 1 }
        var total = 0.0
        var sums = [Double](repeating: 0, count: k)
        points.withUnsafeBufferPointer { p in
            for i in chosen {
                for c in 0..<k { sums[c] = 0 }
                let base = i * dimensions
                for j in chosen where j != i {
                    var distance = 0.0
                    let other = j * dimensions
                    for d in 0..<dimensions {
                        let delta = p[base + d] - p[other + d]
                        distance += delta * delta
                    }
                    sums[Int(labels[j])] += distance.squareRoot()
                }
                let own = Int(labels[i])
                // A point alone in its cluster scores 0, by Rousseeuw's convention.
                guard sizes[own] > 1 else { continue }
                let a = sums[own] / Double(sizes[own] - 1)
                var b = Double.infinity
                for c in 0..<k where c != own && sizes[c] > 0 { b = min(b, sums[c] / Double(sizes[c])) }
                guard b.isFinite else { continue }
                let spread = max(a, b)
                if spread > 0 { total += (b - a) / spread }
            }
        }
        return total / Double(chosen.count)
    }
}
