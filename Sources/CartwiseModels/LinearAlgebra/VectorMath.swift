/// SIMD kernels on contiguous `Float` vectors: the inner loops of ALS and top-k scoring.
package enum VectorMath {
    /// `a · b` over `count` elements, eight lanes at a time with four independent accumulators,
    /// so that the adds do not wait on each other (a 64-factor dot is two rounds, not eight).
    @inline(__always)
    package static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var sum = SIMD8<Float>()
        var sum1 = SIMD8<Float>()
        var sum2 = SIMD8<Float>()
        var sum3 = SIMD8<Float>()
        var index = 0
        while index + 32 <= count {
            let pa = UnsafeRawPointer(a + index)
            let pb = UnsafeRawPointer(b + index)
            sum += pa.loadUnaligned(as: SIMD8<Float>.self) * pb.loadUnaligned(as: SIMD8<Float>.self)
            sum1 +=
                pa.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                * pb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            sum2 +=
                pa.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                * pb.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
            sum3 +=
                pa.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                * pb.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            index += 32
        }
        sum += sum1 + sum2 + sum3
        while index + 8 <= count {
            let x = UnsafeRawPointer(a + index).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + index).loadUnaligned(as: SIMD8<Float>.self)
            sum += x * y
            index += 8
        }
        var total = sum.sum()
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }

    /// `y += alpha * x`.
    @inline(__always)
    package static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int)
    {
        let scale = SIMD8<Float>(repeating: alpha)
        var index = 0
        while index + 8 <= count {
            let xs = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD8<Float>.self)
            let ys = UnsafeRawPointer(y + index).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + index).storeBytes(of: ys + scale * xs, as: SIMD8<Float>.self)
            index += 8
        }
        while index < count {
            y[index] += alpha * x[index]
            index += 1
        }
    }

    /// `out = M v` for a row-major symmetric `count x count` matrix.
    ///
    /// Computed as Σⱼ vⱼ·(row j) (equal to M v by symmetry), 32 columns at a time in four vector
    /// accumulators: no horizontal sum per row, unlike `count` dot products.
    @inline(__always)
    package static func multiply(
        _ matrix: UnsafePointer<Float>,
        _ vector: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>,
        _ count: Int
    ) {
        var block = 0
        while block + 32 <= count {
            var a0 = SIMD8<Float>()
            var a1 = SIMD8<Float>()
            var a2 = SIMD8<Float>()
            var a3 = SIMD8<Float>()
            for j in 0..<count {
                let scale = SIMD8<Float>(repeating: vector[j])
                let row = UnsafeRawPointer(matrix + j * count + block)
                a0 += scale * row.loadUnaligned(as: SIMD8<Float>.self)
                a1 += scale * row.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                a2 += scale * row.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                a3 += scale * row.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            }
            let target = UnsafeMutableRawPointer(out + block)
            target.storeBytes(of: a0, as: SIMD8<Float>.self)
            target.storeBytes(of: a1, toByteOffset: 32, as: SIMD8<Float>.self)
            target.storeBytes(of: a2, toByteOffset: 64, as: SIMD8<Float>.self)
            target.storeBytes(of: a3, toByteOffset: 96, as: SIMD8<Float>.self)
            block += 32
        }
        for row in block..<count {
            out[row] = dot(matrix + row * count, vector, count)
        }
    }
}
