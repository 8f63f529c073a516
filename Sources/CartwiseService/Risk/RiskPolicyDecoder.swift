/// Reads `PUT /risk/rules` and `POST /risk/lists` bodies, naming every bad field by its path
/// (`rules[2].when`, `rules[0].action`, `kind`), and the same shapes back from the log.
package enum RiskPolicyDecoder {
    /// `{"rules": [{"id", "when", "action", "description"}]}`.
    /// - Throws: ``APIError/invalidField(field:reason:)`` for the first problem.
    package static func rulesBody(_ body: [UInt8]) throws(APIError) -> [RiskRule] {
        var problems: [(String, String)] = []
        func problem(_ field: String, _ reason: String) { problems.append((field, reason)) }
        var rules: [RiskRule]?
        try JSONObjectBody.read(body, problem: problem) { key, reader throws(JSONReader.SyntaxError) in
            switch key {
            case "rules": rules = try Self.rules(&reader, problem)
            default:
                problem(key, "is not a known field (send {\"rules\": [...]})")
                try reader.skipValue()
            }
        }
        if problems.isEmpty && rules == nil { problem("rules", "is required (an empty list removes every rule)") }
        if let first = problems.first { throw .invalidField(field: first.0, reason: first.1) }
        return rules ?? []
    }

    static func rules(
        _ reader: inout JSONReader,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) -> [RiskRule] {
        guard try reader.peekKind() == .array else {
            problem("rules", "must be an array of {\"id\", \"when\", \"action\", \"description\"} objects")
            try reader.skipValue()
            return []
        }
        var rules: [RiskRule] = []
        var ids: Set<String> = []
        var index = 0
        try reader.expect(UInt8(ascii: "["))
        if reader.consume(UInt8(ascii: "]")) { return [] }
        repeat {
            defer { index += 1 }
            let path = "rules[\(index)]"
            guard index < RiskRule.maxRules else {
                problem("rules", "must hold at most \(RiskRule.maxRules) rules")
                try reader.skipValue()
                continue
            }
            guard try reader.peekKind() == .object else {
                problem(path, "must be an object with id, when and action")
                try reader.skipValue()
                continue
            }
            var id: String?
            var when: String?
            var action: RiskDecision.Outcome?
            var description = ""
            try reader.expect(UInt8(ascii: "{"))
            if !reader.consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try reader.readString()
                    try reader.expect(UInt8(ascii: ":"))
                    let field = path + "." + key
                    guard try reader.peekKind() == .string else {
                        problem(
                            field,
                            key == "id" || key == "when" || key == "action" || key == "description"
                                ? "must be a string" : "is not a known field"
                        )
                        try reader.skipValue()
                        continue
                    }
                    let text = try reader.readString()
                    switch key {
                    case "id":
                        if RiskRule.isValidID(text) {
                            id = text
                        } else {
                            problem(field, "must be 1 to 64 characters of a-z, 0-9, _ and -")
                        }
                    case "when": when = text
                    case "action":
                        action = RiskDecision.Outcome(rawValue: text)
                        if action == nil { problem(field, "must be approve, review or decline") }
                    case "description":
                        if TextLength.fits(text, atMost: RiskRule.maxDescriptionLength) {
                            description = text
                        } else {
                            problem(field, "must be at most \(RiskRule.maxDescriptionLength) characters")
                        }
                    default: problem(field, "is not a known field")
                    }
                } while reader.consume(UInt8(ascii: ","))
                try reader.expect(UInt8(ascii: "}"))
            }
            guard let id else {
                problem(path + ".id", "is required")
                continue
            }
            guard let when else {
                problem(path + ".when", "is required")
                continue
            }
            guard let action else {
                problem(path + ".action", "is required")
                continue
            }
            guard ids.insert(id).inserted else {
                problem(path + ".id", "'\(id)' is already the id of an earlier rule")
                continue
            }
            do {
                rules.append(try RiskRule(id: id, when: when, action: action, description: description))
            } catch {
                problem(path + ".when", "does not parse: \(error)")
            }
        } while reader.consume(UInt8(ascii: ","))
        try reader.expect(UInt8(ascii: "]"))
        return rules
    }

    /// `{"list", "kind", "value", "reason"}`: a new entry, its personal value hashed.
    /// - Throws: ``APIError/invalidField(field:reason:)`` for the first problem.
    package static func entryBody(
        _ body: [UInt8],
        personal: PersonalData,
        at: Int64,
        by: String
    ) throws(APIError) -> RiskListEntry {
        var problems: [(String, String)] = []
        func problem(_ field: String, _ reason: String) { problems.append((field, reason)) }
        var list: RiskListEntry.List?
        var kind: RiskListEntry.Kind?
        var value: String?
        var reason = ""
        try JSONObjectBody.read(body, problem: problem) { key, reader throws(JSONReader.SyntaxError) in
            guard ["list", "kind", "value", "reason"].contains(key) else {
                problem(key, "is not a known field")
                try reader.skipValue()
                return
            }
            guard try reader.peekKind() == .string else {
                problem(key, "must be a string")
                try reader.skipValue()
                return
            }
            let text = try reader.readString()
            switch key {
            case "list":
                list = RiskListEntry.List(rawValue: text)
                if list == nil { problem(key, "must be allow or block") }
            case "kind":
                kind = RiskListEntry.Kind(rawValue: text)
                if kind == nil {
                    problem(
                        key,
                        "must be one of \(RiskListEntry.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
            case "value":
                if text.isEmpty || !TextLength.fits(text, atMost: 256) {
                    problem(key, "must be 1 to 256 characters")
                } else {
                    value = text
                }
            default:
                if TextLength.fits(text, atMost: RiskRule.maxDescriptionLength) {
                    reason = text
                } else {
                    problem(key, "must be at most \(RiskRule.maxDescriptionLength) characters")
                }
            }
        }
        if problems.isEmpty {
            if list == nil { problem("list", "is required (allow or block)") }
            if kind == nil { problem("kind", "is required") }
            if value == nil { problem("value", "is required") }
        }
        if let first = problems.first { throw .invalidField(field: first.0, reason: first.1) }
        guard let list, let kind, let value else { throw .invalidField(field: "value", reason: "is required") }
        return RiskListEntry(
            list: list,
            kind: kind,
            value: RiskListEntry.matchValue(kind, value, personal: personal),
            reason: reason,
            addedAt: at,
            addedBy: by
        )
    }

    /// An entry as ``RiskPolicyChange/encode(_:)-(RiskListEntry)`` wrote it.
    static func storedEntry(
        _ reader: inout JSONReader,
        _ problem: (String, String) -> Void
    ) throws(JSONReader.SyntaxError) -> RiskListEntry? {
        var fields: [String: String] = [:]
        try reader.expect(UInt8(ascii: "{"))
        if !reader.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try reader.readString()
                try reader.expect(UInt8(ascii: ":"))
                if try reader.peekKind() == .string {
                    fields[key] = try reader.readString()
                } else {
                    try reader.skipValue()
                }
            } while reader.consume(UInt8(ascii: ","))
            try reader.expect(UInt8(ascii: "}"))
        }
        guard let list = fields["list"].flatMap(RiskListEntry.List.init(rawValue:)),
            let kind = fields["kind"].flatMap(RiskListEntry.Kind.init(rawValue:)), let value = fields["value"],
            let added = fields["added_at"].flatMap(Timestamp.parse)
        else {
            problem("entry", "is not a list entry")
            return nil
        }
        return RiskListEntry(
            list: list,
            kind: kind,
            value: value,
            reason: fields["reason"] ?? "",
            addedAt: added,
            addedBy: fields["added_by"] ?? ""
        )
    }
}
