import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// A progress bar on stderr (`[#####.....]  52%  52,000 events  310,000/s`), redrawn at most ten
/// times a second; when stderr is not a terminal only the final line is printed.
package final class ProgressBar {
    private let total: Int
    private let unit: String
    private let start = MonotonicClock.nanoseconds()
    private var lastDraw: UInt64 = 0
    private let interactive = isatty(2) != 0

    package init(total: Int, unit: String) {
        self.total = max(total, 1)
        self.unit = unit
    }

    /// Redraws with `done` of `total` (bytes, say) and `count` things so far.
    package func update(done: Int, count: Int) {
        guard interactive else { return }
        let now = MonotonicClock.nanoseconds()
        guard now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        draw(done: done, count: count, final: false)
    }

    /// Prints the last line with the throughput.
    package func finish(count: Int, note: String = "") {
        draw(done: total, count: count, final: true)
        if !note.isEmpty { Self.write(note + "\n") }
    }

    /// Seconds since the bar was created.
    package var elapsed: Double { Double(MonotonicClock.nanoseconds() - start) / 1e9 }

    private func draw(done: Int, count: Int, final: Bool) {
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = Double(count) / max(elapsed, 1e-9)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var line = "[\(bar)] \(Int(fraction * 100))%  \(Self.grouped(count)) \(unit)  \(Self.grouped(Int(rate)))/s"
        if final { line += String(format3(elapsed)) + " s\n" } else { line = "\r" + line + "   " }
        if final && interactive { line = "\r" + line }
        Self.write(line)
    }

    private func format3(_ seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded())
        return "  in \(millis / 1000).\(String(repeating: "0", count: 3 - String(millis % 1000).count))\(millis % 1000)"
    }

    /// `1234567` as `1,234,567`.
    package static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return out
    }

    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
