#if canImport(Glibc)
import Glibc
#endif

/// The one wall clock of the service: event times sent without a timestamp, trained-at and
/// fitted-at stamps, velocity windows. Durations use `MonotonicClock` instead. Features read
/// it here rather than each keeping its own, so a test or a replay has one thing to reason about.
package enum WallClock {
    /// Milliseconds since the Unix epoch.
    package static func milliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
