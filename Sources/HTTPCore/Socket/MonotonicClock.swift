#if canImport(Glibc)
import Glibc
#endif

/// Milliseconds and nanoseconds from `CLOCK_MONOTONIC`, for deadlines and latencies.
///
/// Deadlines must not jump when an operator or NTP sets the wall clock.
package enum MonotonicClock {
    /// Nanoseconds since an arbitrary start.
    @inline(__always)
    package static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Milliseconds since an arbitrary start; the coarse clock is enough for timeouts.
    @inline(__always)
    package static func milliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
