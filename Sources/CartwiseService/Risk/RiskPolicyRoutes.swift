import HTTPCore

/// `GET|PUT /risk/rules`, `GET|POST /risk/lists`, `DELETE /risk/lists/{id}` and
/// `GET /risk/changes`: the rules and lists a risk team keeps, with the name of the API key
/// behind every change. A change is answered once it is durable in `risk-policy/`, and takes
/// effect for the next order scored.
package struct RiskPolicyRoutes: Sendable {
    package let risk: OrderRisk
    package let storage: RiskStorage
    package let callers: Callers

    package init(risk: OrderRisk, storage: RiskStorage, callers: Callers) {
        self.risk = risk
        self.storage = storage
        self.callers = callers
    }

    package func register(on router: inout ServiceRoutes) {
        router.on(.get, "/risk/rules", access: .risk) { _, _ in
            HTTPResponse.json(Self.rules(risk.policies.current))
        }

        router.onDeferred(.put, "/risk/rules", access: .risk) { request, _, promise in
            try JSONBody.requireJSON(request)
            let rules = try RiskPolicyDecoder.rulesBody(request.body)
            let change = RiskPolicyChange(
                at: WallClock.milliseconds(),
                by: callers.name(of: request),
                kind: .rules(rules)
            )
            storage.policy.submit(change.encode(), answering: promise) { [risk] _ in
                risk.policies.apply(change)
                return HTTPResponse.json(Self.rules(risk.policies.current))
            }
        }

        router.on(.get, "/risk/lists", access: .risk) { request, _ in
            let list = try request.queryValue("list").map { text throws(APIError) in
                guard let list = RiskListEntry.List(rawValue: text) else {
                    throw APIError.invalidField(field: "list", reason: "must be allow or block")
                }
                return list
            }
            let kind = try request.queryValue("kind").map { text throws(APIError) in
                guard let kind = RiskListEntry.Kind(rawValue: text) else {
                    throw APIError.invalidField(
                        field: "kind",
                        reason: "must be one of \(RiskListEntry.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                return kind
            }
            let entries = risk.policies.current.entries.values
                .filter { (list == nil || $0.list == list) && (kind == nil || $0.kind == kind) }
                .sorted { ($0.addedAt, $0.id) < ($1.addedAt, $1.id) }
            var out: [UInt8] = Array(#"{"count":\#(entries.count),"entries":["#.utf8)
            for (index, entry) in entries.enumerated() {
                if index > 0 { out += ",".utf8 }
                out += RiskPolicyChange.encode(entry)
            }
            out += "]}".utf8
            return HTTPResponse.json(out)
        }

        router.onDeferred(.post, "/risk/lists", access: .risk) { request, _, promise in
            try JSONBody.requireJSON(request)
            let now = WallClock.milliseconds()
            let entry = try RiskPolicyDecoder.entryBody(
                request.body,
                personal: risk.personal,
                at: now,
                by: callers.name(of: request)
            )
            let existed = risk.policies.current.entries[entry.id] != nil
            let change = RiskPolicyChange(at: now, by: entry.addedBy, kind: .add(entry))
            storage.policy.submit(change.encode(), answering: promise) { [risk] _ in
                risk.policies.apply(change)
                return HTTPResponse.json(RiskPolicyChange.encode(entry), status: existed ? .ok : .created)
            }
        }

        router.onDeferred(.delete, "/risk/lists/{id}", access: .risk) { request, parameters, promise in
            let id = try parameters.require("id")
            guard risk.policies.current.entries[id] != nil else {
                throw APIError.notFound("no list entry '\(id)' (GET /risk/lists shows the ids)")
            }
            let change = RiskPolicyChange(
                at: WallClock.milliseconds(),
                by: callers.name(of: request),
                kind: .remove(id)
            )
            storage.policy.submit(change.encode(), answering: promise) { [risk] _ in
                risk.policies.apply(change)
                return HTTPResponse(status: .noContent)
            }
        }

        router.on(.get, "/risk/changes", access: .risk) { request, _ in
            let limit = try request.queryInt("limit", default: 50, range: 1...RiskPolicyBook.keptChanges)!
            let changes = risk.policies.changes(limit: limit)
            var out: [UInt8] = Array(#"{"changes":["#.utf8)
            for (index, change) in changes.enumerated() {
                if index > 0 { out += ",".utf8 }
                out += change.encode()
            }
            out += "]}".utf8
            return HTTPResponse.json(out)
        }
    }

    static func rules(_ policy: RiskPolicy) -> [UInt8] {
        var out: [UInt8] = Array(#"{"version":\#(policy.version),"updated_at":"#.utf8)
        if policy.version == 0 {
            out += "null".utf8
        } else {
            JSONString.append(Timestamp.format(policy.updatedAt), to: &out)
        }
        out += #","updated_by":"#.utf8
        JSONString.append(policy.updatedBy, to: &out)
        out += #","rules":"#.utf8
        out += RiskPolicyChange.encode(policy.rules)
        out += #","features":["#.utf8
        for (index, name) in RiskFeatures.derived.enumerated() {
            if index > 0 { out += ",".utf8 }
            JSONString.append(name, to: &out)
        }
        out += "]}".utf8
        return out
    }
}
