import HTTPCore

/// One change to the rules or lists: who made it, when, and what. The `risk-policy/` log holds
/// them as JSON, in order; replaying it rebuilds the policy, and `GET /risk/changes` shows them.
package struct RiskPolicyChange: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        /// The whole rule set, replaced.
        case rules([RiskRule])
        case add(RiskListEntry)
        /// An entry's id.
        case remove(String)
    }

    /// Milliseconds since the epoch.
    package var at: Int64
    /// The API key's name, or `anonymous` while authentication is off.
    package var by: String
    package var kind: Kind

    package init(at: Int64, by: String, kind: Kind) {
        self.at = at
        self.by = by
        self.kind = kind
    }

    /// The change as the log and `GET /risk/changes` hold it.
    package func encode() -> [UInt8] {
        var out: [UInt8] = Array(#"{"at":"#.utf8)
        JSONString.append(Timestamp.format(at), to: &out)
        out += #","by":"#.utf8
        JSONString.append(by, to: &out)
        switch kind {
        case .rules(let rules):
            out += #","change":"rules","rules":"#.utf8
            out += Self.encode(rules)
        case .add(let entry):
            out += #","change":"list_add","entry":"#.utf8
            out += Self.encode(entry)
        case .remove(let id):
            out += #","change":"list_remove","id":"#.utf8
            JSONString.append(id, to: &out)
        }
        out += "}".utf8
        return out
    }

    package static func encode(_ rules: [RiskRule]) -> [UInt8] {
        var out: [UInt8] = Array("[".utf8)
        for (index, rule) in rules.enumerated() {
            if index > 0 { out += ",".utf8 }
            out += #"{"id":"#.utf8
            JSONString.append(rule.id, to: &out)
            out += #","when":"#.utf8
            JSONString.append(rule.when, to: &out)
            out += #","action":"\#(rule.action.rawValue)","description":"#.utf8
            JSONString.append(rule.description, to: &out)
            out += "}".utf8
        }
        out += "]".utf8
        return out
    }

    package static func encode(_ entry: RiskListEntry) -> [UInt8] {
        var out: [UInt8] = Array(#"{"id":"#.utf8)
        JSONString.append(entry.id, to: &out)
        out += #","list":"\#(entry.list.rawValue)","kind":"\#(entry.kind.rawValue)","value":"#.utf8
        JSONString.append(entry.value, to: &out)
        out += #","hashed":\#(entry.kind.isPersonal),"reason":"#.utf8
        JSONString.append(entry.reason, to: &out)
        out += #","added_at":"#.utf8
        JSONString.append(Timestamp.format(entry.addedAt), to: &out)
        out += #","added_by":"#.utf8
        JSONString.append(entry.addedBy, to: &out)
        out += "}".utf8
        return out
    }

    /// A change from the log.
    /// - Throws: ``APIError`` when the record is not a change this version can read.
    package static func decode(_ bytes: [UInt8]) throws(APIError) -> RiskPolicyChange {
        var at: Int64?
        var by = ""
        var change = ""
        var rules: [RiskRule]?
        var entry: RiskListEntry?
        var id: String?
        var problems: [(String, String)] = []
        func problem(_ field: String, _ reason: String) { problems.append((field, reason)) }
        try JSONObjectBody.read(bytes, problem: problem) { key, reader throws(JSONReader.SyntaxError) in
            switch key {
            case "at":
                at = Timestamp.parse(try reader.readString())
            case "by": by = try reader.readString()
            case "change": change = try reader.readString()
            case "rules": rules = try RiskPolicyDecoder.rules(&reader, problem)
            case "entry": entry = try RiskPolicyDecoder.storedEntry(&reader, problem)
            case "id": id = try reader.readString()
            default: try reader.skipValue()
            }
        }
        if let first = problems.first { throw .invalidField(field: first.0, reason: first.1) }
        guard let at else { throw .invalidField(field: "at", reason: "is missing") }
        switch change {
        case "rules":
            guard let rules else { throw .invalidField(field: "rules", reason: "is missing") }
            return RiskPolicyChange(at: at, by: by, kind: .rules(rules))
        case "list_add":
            guard let entry else { throw .invalidField(field: "entry", reason: "is missing") }
            return RiskPolicyChange(at: at, by: by, kind: .add(entry))
        case "list_remove":
            guard let id else { throw .invalidField(field: "id", reason: "is missing") }
            return RiskPolicyChange(at: at, by: by, kind: .remove(id))
        default:
            throw .invalidField(field: "change", reason: "'\(change)' is not rules, list_add or list_remove")
        }
    }
}
