import HTTPCore

/// One series of `POST /series` (and of the `series/` log, which stores accepted bodies):
/// `{"id", "frequency", "season_length"?, "points": [{"t": "2026-01-01" | 17, "value": 12,
/// "price": 2.49, "deal": 1}]}`. `t` is a date, or an integer period index for series without
/// a calendar; one series uses one kind. Numeric members next to `value` are covariates (what
/// the shop did to demand that period).
///
/// A promotion plan (`POST /promotions`) has the same shape without `value`, `frequency` and
/// `season_length`: planned covariates per period, for the baseline plan or, with `scenario`,
/// for a what-if that `GET /forecast?scenario=` answers.
package struct SeriesUpload: Sendable, Equatable {
    package static let maxPoints = 100_000
    package static let maxSeries = 10_000
    package static let maxCovariates = 20

    package var id: String
    package var frequency: Frequency
    package var seasonLength: Int?
    /// Whether `t` was an integer period index rather than a date.
    package var indexed: Bool
    package var points: [Point]
    /// A promotion plan rather than demand (then `frequency` is a placeholder and every point's
    /// `value` is unused).
    package var isPlan = false
    /// The what-if a plan belongs to; nil for the baseline plan.
    package var scenario: String?

    package struct Point: Sendable, Equatable {
        package var period: Int
        package var value: Double
        /// Covariates in the order they came, e.g. `[("price", 2.49), ("deal", 1)]`.
        package var covariates: [Covariate] = []

        package init(period: Int, value: Double, covariates: [Covariate] = []) {
            self.period = period
            self.value = value
            self.covariates = covariates
        }
    }

    package struct Covariate: Sendable, Equatable {
        package var name: String
        package var value: Double

        package init(name: String, value: Double) {
            self.name = name
            self.value = value
        }

        /// Whether a covariate enters the models as its logarithm: `price` and `*_price`, so
        /// their coefficients are price elasticities.
        package static func isPrice(_ name: String) -> Bool { name == "price" || name.hasSuffix("_price") }
    }

    package init(id: String, frequency: Frequency, seasonLength: Int?, indexed: Bool, points: [Point]) {
        self.id = id
        self.frequency = frequency
        self.seasonLength = seasonLength
        self.indexed = indexed
        self.points = points
    }

    /// Decodes a body: one series object, or `{"series": [...]}` with many.
    /// - Parameters:
    ///   - body: the JSON.
    ///   - plan: whether it is a promotion plan (`{"promotions": [...]}` for many).
    /// - Returns: the series, in order.
    /// - Throws: ``APIError`` naming the first wrong field as a JSON path (`series[2].points[5].t`).
    package static func decode(_ body: [UInt8], plan: Bool = false) throws(APIError) -> [SeriesUpload] {
        var problems: [(field: String, reason: String)] = []
        func problem(_ field: String, _ reason: String) { problems.append((field, reason)) }
        var single = Partial(plan: plan)
        var many: [SeriesUpload] = []
        var sawSeries = false
        let listKey = plan ? "promotions" : "series"
        try JSONObjectBody.read(body, problem: problem) { key, reader throws(JSONReader.SyntaxError) in
            if key == listKey {
                sawSeries = true
                guard try reader.peekKind() == .array else {
                    problem(listKey, "must be an array of \(plan ? "promotion" : "series") objects")
                    try reader.skipValue()
                    return
                }
                try reader.expect(UInt8(ascii: "["))
                if reader.consume(UInt8(ascii: "]")) { return }
                var index = 0
                repeat {
                    let path = "\(listKey)[\(index)]"
                    if index >= maxSeries {
                        problem(listKey, "has more than \(maxSeries) entries; send them in several calls")
                        try reader.skipValue()
                    } else if let upload = try readSeries(&reader, path: path, plan: plan, problem: problem) {
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
                throw .invalidField(field: listKey, reason: "cannot be combined with a single entry's fields")
            }
            guard !many.isEmpty else { throw .invalidField(field: listKey, reason: "must hold at least one entry") }
            return many
        }
        return [try single.finish(path: "")]
    }

    private static func readSeries(
        _ reader: inout JSONReader,
        path: String,
        plan: Bool,
        problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) -> SeriesUpload? {
        guard try reader.peekKind() == .object else {
            problem(path, plan ? "must be a promotion object" : "must be a series object")
            try reader.skipValue()
            return nil
        }
        var partial = Partial(plan: plan)
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
        let plan: Bool
        var id: String?
        var frequency: Frequency?
        var seasonLength: Int?
        var scenario: String?
        var points: [(t: PointTime, value: Double, covariates: [Covariate])] = []
        var sawPoints = false
        var isEmpty: Bool { id == nil && frequency == nil && seasonLength == nil && scenario == nil && !sawPoints }

        init(plan: Bool) { self.plan = plan }

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
            case "scenario" where plan:
                if reader.readNull() { return }
                scenario = try EventDecoder.identifier(&reader, path + key, problem)
            case "frequency" where !plan:
                let text = try reader.peekKind() == .string ? try reader.readString() : nil
                if text == nil { try reader.skipValue() }
                if let text, let value = Frequency(rawValue: text) {
                    frequency = value
                } else {
                    problem(path + key, "must be one of day, week, month, quarter, year")
                }
            case "season_length" where !plan:
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
                    problem(
                        path + key,
                        plan
                            ? "must be an array of {\"t\", covariates...} objects"
                            : "must be an array of {\"t\", \"value\"} objects"
                    )
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
        ) throws(JSONReader.SyntaxError) -> (t: PointTime, value: Double, covariates: [Covariate])? {
            guard try reader.peekKind() == .object else {
                problem(path, "must be an object {\"t\", \"value\"}")
                try reader.skipValue()
                return nil
            }
            var time: PointTime?
            var value: Double?
            var covariates: [Covariate] = []
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
                    case "value" where !plan:
                        if let number = try EventDecoder.number(&reader, path + ".value", problem) {
                            if abs(number) < 1e15 {
                                value = number
                            } else {
                                problem(path + ".value", "must be below 1e15 in size")
                            }
                        }
                    default:
                        guard Self.isCovariateName(key), try reader.peekKind() == .number else {
                            problem(
                                path + "." + key,
                                plan && key == "value"
                                    ? "is not part of a promotion plan; demand goes to POST /series"
                                    : "is not a known field (a covariate is a number named with a-z, 0-9 and _)"
                            )
                            try reader.skipValue()
                            continue
                        }
                        let number = try reader.readNumber()
                        if covariates.contains(where: { $0.name == key }) {
                            problem(path + "." + key, "appears twice")
                        } else if !number.isFinite || abs(number) >= 1e15 {
                            problem(path + "." + key, "must be a finite number below 1e15 in size")
                        } else if Covariate.isPrice(key) && number <= 0 {
                            problem(path + "." + key, "is a price and must be above 0")
                        } else if covariates.count >= SeriesUpload.maxCovariates {
                            problem(
                                path + "." + key,
                                "is one covariate too many (at most \(SeriesUpload.maxCovariates))"
                            )
                        } else {
                            covariates.append(Covariate(name: key, value: number))
                        }
                    }
                } while reader.consume(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "}"))
            }
            guard let time else {
                problem(path + ".t", "is required")
                return nil
            }
            if plan {
                guard !covariates.isEmpty else {
                    problem(path, "must plan at least one covariate (e.g. \"price\" or \"deal\")")
                    return nil
                }
                return (time, 0, covariates)
            }
            guard let value else {
                problem(path + ".value", "is required")
                return nil
            }
            return (time, value, covariates)
        }

        static func isCovariateName(_ key: String) -> Bool {
            guard !key.isEmpty, key.utf8.count <= 40, key != "t" else { return false }
            return key.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "_")
            }
        }

        func finish(path: String) throws(APIError) -> SeriesUpload {
            guard let id else { throw .invalidField(field: path + "id", reason: "is required") }
            guard let frequency = plan ? .day : frequency else {
                throw .invalidField(field: path + "frequency", reason: "is required")
            }
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
                result.append(Point(period: period, value: point.value, covariates: point.covariates))
            }
            if !plan, let first = result.first {
                // One set of covariates per series: a column missing from some periods would be
                // guessed, and a planner should know which.
                let names = first.covariates.map(\.name).sorted()
                if let index = result.firstIndex(where: { $0.covariates.map(\.name).sorted() != names }) {
                    throw .invalidField(
                        field: "\(path)points[\(index)]",
                        reason:
                            "has other covariates than points[0] (\(names.joined(separator: ", "))); every point of a series carries the same ones"
                    )
                }
            }
            var upload = SeriesUpload(
                id: id,
                frequency: frequency,
                seasonLength: seasonLength,
                indexed: indexed ?? false,
                points: result
            )
            upload.isPlan = plan
            upload.scenario = scenario
            return upload
        }
    }
}

extension SeriesUpload {
    /// A `POST /series` body holding `uploads` (what the importer writes to the `series/` log),
    /// or a `POST /promotions` body for plans.
    package static func encode(_ uploads: [SeriesUpload]) -> [UInt8] {
        let plan = uploads.first?.isPlan ?? false
        var out: [UInt8] = Array((plan ? #"{"promotions":["# : #"{"series":["#).utf8)
        for (index, upload) in uploads.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"id":"#.utf8
            JSONString.append(upload.id, to: &out)
            if plan {
                if let scenario = upload.scenario {
                    out += #","scenario":"#.utf8
                    JSONString.append(scenario, to: &out)
                }
            } else {
                out += #","frequency":"\#(upload.frequency.rawValue)""#.utf8
                if let season = upload.seasonLength { out += #","season_length":\#(season)"#.utf8 }
            }
            out += #","points":["#.utf8
            for (p, point) in upload.points.enumerated() {
                if p > 0 { out.append(UInt8(ascii: ",")) }
                out += #"{"t":"#.utf8
                if upload.indexed {
                    out += String(point.period).utf8
                } else {
                    out += "\"\(upload.frequency.format(point.period))\"".utf8
                }
                if !plan { out += #","value":\#(JSONWriter.number(point.value))"#.utf8 }
                for covariate in point.covariates {
                    out += #",""#.utf8
                    out += covariate.name.utf8
                    out += #"":\#(JSONWriter.number(covariate.value))"#.utf8
                }
                out += "}".utf8
            }
            out += "]}".utf8
        }
        out += "]}".utf8
        return out
    }
}
