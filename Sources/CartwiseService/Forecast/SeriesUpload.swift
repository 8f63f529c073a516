import HTTPCore

/// One series of `POST /series` (and of the `series/` log, which stores accepted bodies):
/// `{"id", "frequency", "season_length"?, "points": [{"t": "2026-01-01" | 17, "value": 12}]}`.
/// `t` is a date, or an integer period index for series without a calendar; one series uses
/// one kind.
package struct SeriesUpload: Sendable, Equatable {
    package static let maxPoints = 100_000
    package static let maxSeries = 10_000

    package var id: String
    package var frequency: Frequency
    package var seasonLength: Int?
    /// Whether `t` was an integer period index rather than a date.
    package var indexed: Bool
    package var points: [Point]

    package struct Point: Sendable, Equatable {
        package var period: Int
        package var value: Double

        package init(period: Int, value: Double) {
            self.period = period
            self.value = value
        }
    }

    package init(id: String, frequency: Frequency, seasonLength: Int?, indexed: Bool, points: [Point]) {
        self.id = id
        self.frequency = frequency
        self.seasonLength = seasonLength
        self.indexed = indexed
        self.points = points
    }

    /// Decodes a body: one series object, or `{"series": [...]}` with many.
    /// - Parameter body: the JSON.
    /// - Returns: the series, in order.
    /// - Throws: ``APIError`` naming the first wrong field as a JSON path (`series[2].points[5].t`).
    package static func decode(_ body: [UInt8]) throws(APIError) -> [SeriesUpload] {
        var problems: [(field: String, reason: String)] = []
        func problem(_ field: String, _ reason: String) { problems.append((field, reason)) }
        var single = Partial()
        var many: [SeriesUpload] = []
        var sawSeries = false
        try JSONObjectBody.read(body, problem: problem) { key, reader throws(JSONReader.SyntaxError) in
            if key == "series" {
                sawSeries = true
                guard try reader.peekKind() == .array else {
                    problem("series", "must be an array of series objects")
                    try reader.skipValue()
                    return
                }
                try reader.expect(UInt8(ascii: "["))
                if reader.consume(UInt8(ascii: "]")) { return }
                var index = 0
                repeat {
                    let path = "series[\(index)]"
                    if index >= maxSeries {
                        problem("series", "has more than \(maxSeries) series; send them in several calls")
                        try reader.skipValue()
                    } else if let upload = try readSeries(&reader, path: path, problem: problem) {
                        many.append(upload)
                    }
                    index += 1
                } while reader.consume(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "]"))
            } else {
                try single.member(key, &reader, path: "", problem: problem)
            }
        }
        if let first = problems.first { throw .invalidField(field: first.field, reason: first.reason) }
        if sawSeries {
            guard single.isEmpty else {
                throw .invalidField(field: "series", reason: "cannot be combined with a single series' fields")
            }
            guard !many.isEmpty else { throw .invalidField(field: "series", reason: "must hold at least one series") }
            return many
        }
        return [try single.finish(path: "")]
    }

    private static func readSeries(
        _ reader: inout JSONReader,
        path: String,
        problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) -> SeriesUpload? {
        guard try reader.peekKind() == .object else {
            problem(path, "must be a series object")
            try reader.skipValue()
            return nil
        }
        var partial = Partial()
        try reader.expect(UInt8(ascii: "{"))
        if !reader.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try reader.readString()
                try reader.expect(UInt8(ascii: ":"))
                try partial.member(key, &reader, path: path + ".", problem: problem)
            } while reader.consume(UInt8(ascii: ","))
            try reader.expect(UInt8(ascii: "}"))
        }
        do {
            return try partial.finish(path: path + ".")
        } catch {
            if case .invalidField(let field, let reason) = error { problem(field, reason) }
            return nil
        }
    }

    /// The fields of one series as they arrive.
    private struct Partial {
        var id: String?
        var frequency: Frequency?
        var seasonLength: Int?
        var points: [(t: PointTime, value: Double)] = []
        var sawPoints = false
        var isEmpty: Bool { id == nil && frequency == nil && seasonLength == nil && !sawPoints }

        enum PointTime {
            case date(Int, Int, Int)
            case index(Int)
        }

        mutating func member(
            _ key: String,
            _ reader: inout JSONReader,
            path: String,
            problem: (String, String) -> Void
        ) throws(JSONReader.SyntaxError) {
            switch key {
            case "id": id = try EventDecoder.identifier(&reader, path + key, problem)
            case "frequency":
                let text = try reader.peekKind() == .string ? try reader.readString() : nil
                if text == nil { try reader.skipValue() }
                if let text, let value = Frequency(rawValue: text) {
                    frequency = value
                } else {
                    problem(path + key, "must be one of day, week, month, quarter, year")
                }
            case "season_length":
                if reader.readNull() { return }
                let value = try EventDecoder.number(&reader, path + key, problem)
                if let value {
                    if value == value.rounded(), (1...366).contains(value) {
                        seasonLength = Int(value)
                    } else {
                        problem(path + key, "must be an integer from 1 to 366")
                    }
                }
            case "points":
                sawPoints = true
                guard try reader.peekKind() == .array else {
                    problem(path + key, "must be an array of {\"t\", \"value\"} objects")
                    try reader.skipValue()
                    return
                }
                try reader.expect(UInt8(ascii: "["))
                if reader.consume(UInt8(ascii: "]")) { return }
                var index = 0
                repeat {
                    let pointPath = "\(path)points[\(index)]"
                    if index >= SeriesUpload.maxPoints {
                        problem(path + key, "has more than \(SeriesUpload.maxPoints) points")
                        try reader.skipValue()
                    } else if let point = try readPoint(&reader, path: pointPath, problem: problem) {
                        points.append(point)
                    }
                    index += 1
                } while reader.consume(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "]"))
            default:
                problem(path + key, "is not a known field")
                try reader.skipValue()
            }
        }

        func readPoint(
            _ reader: inout JSONReader,
            path: String,
            problem: (String, String) -> Void
        ) throws(JSONReader.SyntaxError) -> (t: PointTime, value: Double)? {
            guard try reader.peekKind() == .object else {
                problem(path, "must be an object {\"t\", \"value\"}")
                try reader.skipValue()
                return nil
            }
            var time: PointTime?
            var value: Double?
            try reader.expect(UInt8(ascii: "{"))
            if !reader.consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try reader.readString()
                    try reader.expect(UInt8(ascii: ":"))
                    switch key {
                    case "t":
                        switch try reader.peekKind() {
                        case .string:
                            let text = try reader.readString()
                            if let date = Frequency.parseDate(text) {
                                time = .date(date.year, date.month, date.day)
                            } else {
                                problem(path + ".t", "must be a date YYYY-MM-DD (1900-2200) or an integer period index")
                            }
                        case .number:
                            let number = try reader.readNumber()
                            if number == number.rounded(), abs(number) <= 1e9 {
                                time = .index(Int(number))
                            } else {
                                problem(path + ".t", "must be a date YYYY-MM-DD or an integer period index")
                            }
                        default:
                            problem(path + ".t", "must be a date YYYY-MM-DD or an integer period index")
                            try reader.skipValue()
                        }
                    case "value":
                        if let number = try EventDecoder.number(&reader, path + ".value", problem) {
                            if abs(number) < 1e15 {
                                value = number
                            } else {
                                problem(path + ".value", "must be below 1e15 in size")
                            }
                        }
                    default:
                        problem(path + "." + key, "is not a known field")
                        try reader.skipValue()
                    }
                } while reader.consume(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "}"))
            }
            guard let time else {
                problem(path + ".t", "is required")
                return nil
            }
            guard let value else {
                problem(path + ".value", "is required")
                return nil
            }
            return (time, value)
        }

        func finish(path: String) throws(APIError) -> SeriesUpload {
            guard let id else { throw .invalidField(field: path + "id", reason: "is required") }
            guard let frequency else { throw .invalidField(field: path + "frequency", reason: "is required") }
            guard !points.isEmpty else {
                throw .invalidField(field: path + "points", reason: "must hold at least one point")
            }
            var indexed: Bool?
            var result: [Point] = []
            result.reserveCapacity(points.count)
            for (index, point) in points.enumerated() {
                let period: Int
                let isIndex: Bool
                switch point.t {
                case .date(let year, let month, let day):
                    period = frequency.period(year: year, month: month, day: day)
                    isIndex = false
                case .index(let value):
                    period = value
                    isIndex = true
                }
                if let indexed, indexed != isIndex {
                    throw .invalidField(
                        field: "\(path)points[\(index)].t",
                        reason: "mixes dates and period indexes; use one kind per series"
                    )
                }
                indexed = isIndex
                result.append(Point(period: period, value: point.value))
            }
            return SeriesUpload(
                id: id,
                frequency: frequency,
                seasonLength: seasonLength,
                indexed: indexed ?? false,
                points: result
            )
        }
    }
}

extension SeriesUpload {
    /// A `POST /series` body holding `uploads` (what the importer writes to the `series/` log).
    package static func encode(_ uploads: [SeriesUpload]) -> [UInt8] {
        var out: [UInt8] = Array(#"{"series":["#.utf8)
        for (index, upload) in uploads.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"id":"#.utf8
            JSONString.append(upload.id, to: &out)
            out += #","frequency":"\#(upload.frequency.rawValue)""#.utf8
            if let season = upload.seasonLength { out += #","season_length":\#(season)"#.utf8 }
            out += #","points":["#.utf8
            for (p, point) in upload.points.enumerated() {
                if p > 0 { out.append(UInt8(ascii: ",")) }
                out += #"{"t":"#.utf8
                if upload.indexed {
                    out += String(point.period).utf8
                } else {
                    out += "\"\(upload.frequency.format(point.period))\"".utf8
                }
                out += #","value":\#(JSONWriter.number(point.value))}"#.utf8
            }
            out += "]}".utf8
        }
        out += "]}".utf8
        return out
    }
}
