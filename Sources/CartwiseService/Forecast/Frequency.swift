/// How often a series is observed, and the calendar arithmetic of its periods. A period is an
/// integer: days since 1970-01-01, weeks since the Monday 1969-12-29, months or quarters since
/// January 1970, or the year itself. Series imported with integer period indexes (as the M3
/// files have) use those integers directly and carry no calendar.
package enum Frequency: String, Sendable, CaseIterable {
    case day, week, month, quarter, year

    /// The usual season: a week of days, a year of weeks, months or quarters.
    package var defaultSeasonLength: Int {
        switch self {
        case .day: return 7
        case .week: return 52
        case .month: return 12
        case .quarter: return 4
        case .year: return 1
        }
    }

    /// How far ahead the trainer forecasts every series (the most `horizon` may ask for).
    /// The period holding `day` (days since 1970-01-01).
    package func period(ofDay day: Int) -> Int {
        let (year, month, dayOfMonth) = Self.civil(days: day)
        return period(year: year, month: month, day: dayOfMonth)
    }

    /// The most recent periods a model is fitted on: three years of days, ten of weeks, every
    /// month, quarter and year. Older days say little about next month's demand that three
    /// years do not, and AutoETS on 5,000 days took 21 s a series.
    package var fitWindow: Int {
        switch self {
        case .day: return 3 * 365
        case .week: return 520
        case .month, .quarter, .year: return .max
        }
    }

    package var maxHorizon: Int {
        switch self {
        case .day: return 90
        case .week: return 52
        case .month: return 36
        case .quarter: return 16
        case .year: return 10
        }
    }

    /// The period containing a calendar date.
    package func period(year: Int, month: Int, day: Int) -> Int {
        switch self {
        case .day: return Self.days(year: year, month: month, day: day)
        case .week: return Self.floorDivide(Self.days(year: year, month: month, day: day) + 3, 7)
        case .month: return (year - 1970) * 12 + month - 1
        case .quarter: return (year - 1970) * 4 + (month - 1) / 3
        case .year: return year
        }
    }

    /// The first day of a period, as `YYYY-MM-DD`.
    package func format(_ period: Int) -> String {
        let (year, month, day): (Int, Int, Int)
        switch self {
        case .day: (year, month, day) = Self.civil(days: period)
        case .week: (year, month, day) = Self.civil(days: period * 7 - 3)
        case .month:
            year = 1970 + Self.floorDivide(period, 12)
            month = period - (year - 1970) * 12 + 1
            day = 1
        case .quarter:
            year = 1970 + Self.floorDivide(period, 4)
            month = (period - (year - 1970) * 4) * 3 + 1
            day = 1
        case .year: (year, month, day) = (period, 1, 1)
        }
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Parses `YYYY-MM-DD` (a longer ISO 8601 timestamp is cut to its date).
    /// - Returns: year, month and day, or nil when it is not a real date between 1900 and 2200.
    package static func parseDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        if bytes.count > 10, bytes[10] != UInt8(ascii: "T"), bytes[10] != UInt8(ascii: " ") { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1900...2200).contains(year), (1...12).contains(month), day >= 1,
            day <= daysInMonth(year: year, month: month)
        else { return nil }
        return (year, month, day)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Hinnant's `days_from_civil`).
    package static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day number (Hinnant's `civil_from_days`).
    package static func civil(days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    package static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
