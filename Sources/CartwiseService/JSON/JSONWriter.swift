/// How every answer spells a number, so the families agree: integral values without a
/// fraction (`3`, not `3.0`), others as Swift's shortest round-trip text, and NaN or infinity
/// (which JSON cannot hold) as `null`.
package enum JSONWriter {
    package static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `value` rounded to `places` decimals (display figures: seconds, scores).
    package static func number(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "null" }
        var scale = 1.0
        for _ in 0..<max(0, places) { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return number(rounded == 0 && value != 0 ? value : rounded)
    }

    /// nil as `null`.
    package static func number(_ value: Double?) -> String {
        value.map { number($0) } ?? "null"
    }

    /// ``number(_:)``'s text appended to `out`; integral values are written digit by digit
    /// without making a string (most of a risk decision's features are counts).
    package static func append(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            out += "null".utf8
            return
        }
        guard value == value.rounded() && abs(value) < 1e15 else {
            var text = String(value)
            text.withUTF8 { out.append(contentsOf: $0) }
            return
        }
        var magnitude = UInt64(abs(value))
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64) = (0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[15 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: buffer[(16 - count)...])
        }
    }
}
