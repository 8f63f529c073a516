import RealModule

/// A deterministic pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// The standard library's generator is seeded from the system and cannot be replayed; demo data,
/// model initialisation and tests need the same numbers from the same seed on every machine.
package struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    package init(seed: UInt64) {
        var mix = seed
        func next() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    package mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1).
    package mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box-Muller).
    package mutating func normal() -> Double {
        let u = max(unit(), 1e-300)
        let v = unit()
        return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * Double.pi * v)
    }

    /// A Poisson draw with mean `lambda` (Knuth for small means, normal approximation above 30).
    package mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda > 30 {
            return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded()))
        }
        let limit = Double.exp(-lambda)
        var product = unit()
        var count = 0
        while product > limit {
            count += 1
            product *= unit()
        }
        return count
    }
}

/// Zipf-distributed ranks in `0..<count`: rank r has weight 1 / (r + 1)^exponent.
///
/// Sampling is a binary search in the precomputed cumulative weights: O(log n) per draw.
package struct ZipfSampler: Sendable {
    private let cumulative: [Double]

    package init(count: Int, exponent: Double) {
        precondition(count > 0, "ZipfSampler needs at least one rank")
        var running = 0.0
        var table: [Double] = []
        table.reserveCapacity(count)
        for rank in 0..<count {
            running += 1 / Double.pow(Double(rank + 1), exponent)
            table.append(running)
        }
        cumulative = table
    }

    package func sample(_ random: inout SeededRandom) -> Int {
        let target = random.unit() * cumulative[cumulative.count - 1]
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
