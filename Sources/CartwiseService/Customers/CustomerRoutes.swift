import CartwiseModels
import HTTPCore
import Synchronization

/// `GET /customers/{id}`, `GET /customers`, `GET /segments` and `GET /segments/{id}/customers`.
/// Each request reads the model version in service once; every answer is computed on the loop
/// (a lookup and a few series sums), except the exports, which stream as the client reads.
package struct CustomerRoutes: Sendable {
    package let trainer: CustomerTrainer
    /// What other features add to `GET /customers/{id}`.
    package let sections: CustomerSections

    /// The most customers one page or top list gives.
    package static let maxLimit = 1_000

    package func register(on routes: inout ServiceRoutes) {
        routes.get("/customers/{id}", access: .ops) { request, parameters in
            let (model, version) = try current()
            let id = try parameters.require("id")
            guard let index = model.index[id] else {
                throw APIError.notFound("customer '\(id)' has no events or orders (as of model version \(version))")
            }
            let query = try CustomerQuery(request, model: model)
            var body = CustomerEncoding.customer(model, Int(index), query: query, version: version)
            sections.extend(&body, customer: id)
            return HTTPResponse.json(body)
        }

        routes.get("/customers", access: .ops) { request, _ in
            let (model, version) = try current()
            let sort = request.queryValue("sort") ?? "clv"
            guard sort == "clv" || sort == "churn_risk" else {
                throw ProblemDetails(.badRequest, detail: "query parameter 'sort' must be clv or churn_risk")
            }
            let limit = try request.queryInt("limit", default: 20, range: 1...Self.maxLimit)!
            let segment = try segmentFilter(request, model)
            let order = sort == "clv" ? model.byValue : model.byChurnRisk
            var out: [UInt8] = Array(#"{"sort":"#.utf8)
            JSONString.append(sort, to: &out)
            out += #","as_of":""#.utf8
            out += CustomerQuery.date(model.asOf).utf8
            out += #"","horizon_days":\#(model.horizonDays),"discount_rate":"#.utf8
            JSONWriter.append(model.monthlyDiscount, to: &out)
            out += #","model_version":\#(version),"customers":["#.utf8
            var written = 0
            for i in order where written < limit {
                if let segment, model.segmentOf[Int(i)] != Int8(segment) { continue }
                if written > 0 { out.append(44) }
                CustomerEncoding.entry(model, Int(i), to: &out)
                written += 1
            }
            out += "]}".utf8
            return HTTPResponse.json(out)
        }

        routes.get("/segments", access: .ops) { _, _ in
            let (model, version) = try current()
            var out: [UInt8] = Array(#"{"as_of":""#.utf8)
            out += CustomerQuery.date(model.asOf).utf8
            out += #"","model_version":\#(version),"customers":\#(model.ids.count),"segmented":"#.utf8
            out += String(model.members.reduce(0) { $0 + $1.count }).utf8
            out += #","features":["log_recency_days","log_frequency","log_monetary"],"segments":["#.utf8
            for (position, segment) in model.segments.enumerated() {
                if position > 0 { out.append(44) }
                CustomerEncoding.segment(segment, to: &out)
            }
            out += "]}".utf8
            return HTTPResponse.json(out)
        }

        routes.get("/segments/{id}/customers", access: .ops) { request, parameters in
            let (model, version) = try current()
            let id = try parameters.require("id")
            guard let segment = model.segment(id: id) else {
                throw APIError.notFound(
                    "segment '\(id)' is not in model version \(version); GET /segments lists its segments"
                )
            }
            let members = model.members[segment]
            switch SegmentExport.Format(accept: request.headers["Accept"]) {
            case .json:
                let limit = try request.queryInt("limit", default: 100, range: 1...Self.maxLimit)!
                let offset = try request.queryInt("offset", default: 0, range: 0...Int(Int32.max))!
                var out: [UInt8] = Array(#"{"segment":{"id":"#.utf8)
                JSONString.append(model.segments[segment].id, to: &out)
                out += #","name":"#.utf8
                JSONString.append(model.segments[segment].name, to: &out)
                out +=
                    #"},"model_version":\#(version),"total":\#(members.count),"offset":\#(offset),"limit":\#(limit),"customers":["#
                    .utf8
                let end = min(members.count, offset + limit)
                if offset < end {
                    for position in offset..<end {
                        if position > offset { out.append(44) }
                        CustomerEncoding.entry(model, Int(members[position]), to: &out)
                    }
                }
                out += #"],"next_offset":"#.utf8
                out += (end < members.count ? String(end) : "null").utf8
                out += "}".utf8
                return HTTPResponse.json(out)
            case let format:
                var response = HTTPResponse(
                    status: .ok,
                    headers: ["Content-Type": format.contentType]
                )
                response.headers.set(
                    "Content-Disposition",
                    "attachment; filename=\"segment-\(model.segments[segment].id).\(format == .csv ? "csv" : "ndjson")\""
                )
                response.headers.set("X-Model-Version", String(version))
                response.stream = SegmentExport(model: model, segment: segment, format: format)
                return response
            }
        }
    }

    private func current() throws(APIError) -> (CustomerModel, UInt64) {
        guard let published = trainer.models.current else {
            throw .notReady(
                "the customer model has not been trained yet: it trains once the logs are replayed and someone "
                    + "has bought something (POST /models/customers/train)"
            )
        }
        return (published.model, published.card.version)
    }

    private func segmentFilter(_ request: HTTPRequest, _ model: CustomerModel) throws(ProblemDetails) -> Int? {
        guard let id = request.queryValue("segment") else { return nil }
        guard let segment = model.segment(id: id) else {
            throw ProblemDetails(
                .badRequest,
                detail: "query parameter 'segment' names no segment of this model (GET /segments lists them)"
            )
        }
        return segment
    }
}

/// A segment's members as NDJSON or CSV, written a few hundred at a time as the client reads:
/// the answer never exists whole in memory, whatever the segment's size.
package final class SegmentExport: HTTPBodyStream {
    package enum Format: Sendable, Equatable {
        case json
        case ndjson
        case csv

        /// The format an `Accept` header asks for: NDJSON or CSV when it names them, else a
        /// JSON page.
        package init(accept: String?) {
            let accept = accept?.lowercased() ?? ""
            if accept.contains("application/x-ndjson") || accept.contains("application/ndjson") {
                self = .ndjson
            } else if accept.contains("text/csv") {
                self = .csv
            } else {
                self = .json
            }
        }

        var contentType: String {
            switch self {
            case .json: return "application/json"
            case .ndjson: return "application/x-ndjson"
            case .csv: return "text/csv; charset=utf-8"
            }
        }
    }

    /// Rows per piece: about 40 KiB of CSV.
    static let rowsPerPiece = 400

    private let model: CustomerModel
    private let segment: Int
    private let format: Format
    /// The next member to write; -1 before the CSV header.
    private let position: Mutex<Int>

    package init(model: CustomerModel, segment: Int, format: Format) {
        self.model = model
        self.segment = segment
        self.format = format
        position = Mutex(format == .csv ? -1 : 0)
    }

    package func next() -> [UInt8]? {
        position.withLock { position in
            if position < 0 {
                position = 0
                return CustomerEncoding.csvHeader
            }
            let members = model.members[segment]
            guard position < members.count else { return nil }
            let end = min(members.count, position + Self.rowsPerPiece)
            var out: [UInt8] = []
            out.reserveCapacity(Self.rowsPerPiece * 160)
            for member in members[position..<end] {
                if format == .csv {
                    CustomerEncoding.csvRow(model, Int(member), to: &out)
                } else {
                    CustomerEncoding.entry(model, Int(member), to: &out)
                    out.append(10)
                }
            }
            position = end
            return out
        }
    }
}
