#if canImport(Glibc)
import Glibc
#endif

/// The `Date` header line, formatted once per second per event loop (RFC 9110 IMF-fixdate).
///
/// Each loop owns one, so there is no sharing and no lock; formatting per response would cost
/// more than the rest of a small response.
struct DateCache {
    private var second = -1
    private(set) var headerLine: [UInt8] = []

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n` for the current second.
    mutating func current() -> [UInt8] {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &spec)
        let now = spec.tv_sec
        if now != second {
            second = now
            headerLine = Array(("Date: " + Self.format(epochSeconds: now) + "\r\n").utf8)
        }
        return headerLine
    }

    /// IMF-fixdate for a Unix time.
    static func format(epochSeconds: Int) -> String {
        var time = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(1900 + parts.tm_year) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
