import CartwiseModels
import HTTPCore

/// Forecast answers written straight into bytes: a cached `GET /forecast` is mostly this.
enum ForecastEncoding {
    /// `POST /forecast/batch`'s answer from the snapshot: ids without a forecast are `missing`.
    static func batchAnswer(_ batch: ForecastBatchRequest, _ forecaster: Forecaster) -> HTTPResponse {
        var out: [UInt8] = Array(#"{"forecasts":["#.utf8)
        var missing: [String] = []
        var first = true
        for id in batch.items {
            guard let entry = forecaster.entry(id) else {
                missing.append(id)
                continue
            }
            let horizon = min(
                batch.horizon ?? ForecastQuery.defaultHorizon(entry.frequency),
                entry.frequency.maxHorizon
            )
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            encode(id, entry, horizon: horizon, levels: batch.levels, version: entry.version, into: &out)
        }
        out += #"],"missing":["#.utf8
        for (index, id) in missing.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(id, to: &out)
        }
        out += "]}".utf8
        return HTTPResponse.json(out)
    }

    /// Four decimals, trailing zeros dropped, written digit by digit: `String(Double)` costs
    /// more than the rest of a forecast answer together.
    static func round(_ value: Double, _ out: inout [UInt8]) {
        let scaled = (value * 1e4).rounded()
        guard scaled.isFinite, abs(scaled) < 9e15 else {
            JSONWriter.append(value, to: &out)
            return
        }
        var units = Int64(scaled)
        if units < 0 {
            out.append(UInt8(ascii: "-"))
            units = -units
        }
        appendDigits(UInt64(units / 10_000), &out)
        var fraction = Int(units % 10_000)
        guard fraction != 0 else { return }
        out.append(UInt8(ascii: "."))
        var divisor = 1_000
        while fraction != 0 {
            out.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    private static func appendDigits(_ value: UInt64, _ out: inout [UInt8]) {
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) = (
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
            )
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }

    static func encode(
        _ id: String,
        _ entry: ForecastSnapshot.Entry,
        horizon: Int,
        levels: [Double],
        version: Int,
        scenario: String? = nil,
        into out: inout [UInt8]
    ) {
        let forecast = entry.forecast
        out += #"{"item":"#.utf8
        JSONString.append(id, to: &out)
        out += #","model":"#.utf8
        JSONString.append(forecast.model, to: &out)
        if case .blend(let blend) = forecast.fitted {
            // The blend's members with their shares of the point forecast.
            out += #","combination":["#.utf8
            for (index, (model, weight)) in zip(blend.ets.models, blend.ets.weights).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += #"{"model":"\#(model.spec.description)","weight":"#.utf8
                JSONWriter.append((weight * blend.etsWeight * 1e4).rounded() / 1e4, to: &out)
                out += "}".utf8
            }
            out += #",{"model":"\#(blend.arima.spec.description)","weight":"#.utf8
            JSONWriter.append(((1 - blend.etsWeight) * 1e4).rounded() / 1e4, to: &out)
            out += "}]".utf8
        }
        if case .regression(let model) = forecast.fitted {
            out += #","covariates":{"#.utf8
            for (index, coefficient) in model.coefficients.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.append(coefficient.name, to: &out)
                out += #":{"coefficient":"#.utf8
                JSONWriter.append((coefficient.value * 1e6).rounded() / 1e6, to: &out)
                let logged = model.logged[index]
                let kind =
                    model.logTarget ? (logged ? "elasticity" : "log_lift") : (logged ? "units_per_log_unit" : "units")
                out += #","effect":"\#(kind)"}"#.utf8
            }
            out += "}".utf8
            out += #","scenario":"#.utf8
            if let scenario { JSONString.append(scenario, to: &out) } else { out += "null".utf8 }
        }
        if case .ets(let combination) = forecast.fitted, combination.models.count > 1 {
            out += #","combination":["#.utf8
            for (index, (model, weight)) in zip(combination.models, combination.weights).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += #"{"model":"\#(model.spec.description)","weight":"#.utf8
                JSONWriter.append((weight * 1e4).rounded() / 1e4, to: &out)
                out += "}".utf8
            }
            out += "]".utf8
        }
        out += #","history":"\#(forecast.insufficientHistory ? "insufficient" : "sufficient")""#.utf8
        let distribution = forecast.logScale != nil ? "log_normal" : forecast.counts ? "negative_binomial" : "normal"
        out += #","distribution":"\#(distribution)""#.utf8
        out += #","frequency":"\#(entry.frequency.rawValue)","season_length":\#(entry.seasonLength)"#.utf8
        out +=
            #","source":"\#(entry.fromEvents ? "purchase_events" : "uploaded")","observations":\#(entry.observations)"#
            .utf8
        out += #","model_version":\#(version),"fitted_at":"\#(Timestamp.format(entry.fittedAt))","points":["#.utf8
        let bounds = levels.map { level in
            (
                level: level,
                lo: Array(#","lo\#(ForecastQuery.levelName(level))":"#.utf8),
                hi: Array(#","hi\#(ForecastQuery.levelName(level))":"#.utf8)
            )
        }
        for step in 0..<horizon {
            if step > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"t":"#.utf8
            out += entry.jsonLabel(step: step)
            out += #","mean":"#.utf8
            round(forecast.mean[step], &out)
            out += #","median":"#.utf8
            round(forecast.median(step: step), &out)
            for bound in bounds {
                let interval = forecast.interval(step: step, level: bound.level, calibration: entry.calibration)
                out += bound.lo
                round(interval.lower, &out)
                out += bound.hi
                round(interval.upper, &out)
            }
            out += "}".utf8
        }
        out += #"],"backtest":"#.utf8
        if let backtest = forecast.backtest {
            out += #"{"horizon":\#(backtest.horizon)"#.utf8
            let measures: [(String, Double?)] = [
                ("mase", backtest.mase), ("rmsse", backtest.rmsse), ("smape", backtest.smape),
                ("wape", backtest.wape), ("pinball80", backtest.pinball80), ("pinball95", backtest.pinball95),
                ("coverage80", backtest.coverage80), ("coverage95", backtest.coverage95),
            ]
            for (name, value) in measures {
                out += #","\#(name)":"#.utf8
                if let value, value.isFinite { round(value, &out) } else { out += "null".utf8 }
            }
            out += "}".utf8
        } else {
            out += "null".utf8
        }
        out += "}".utf8
    }
}
