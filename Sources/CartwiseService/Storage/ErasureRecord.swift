import HTTPCore

/// One erasure in the `erasures/` log: the salted hash of the user id, when, the name of the
/// API key that asked for it, and the event log's end then (the events it covers are before it).
package struct ErasureRecord: Sendable, Equatable {
    package var userHash: String
    /// Milliseconds since the epoch.
    package var at: Int64
    package var by: String
    package var eventsEnd: RecordLog.Location

    package init(userHash: String, at: Int64, by: String, eventsEnd: RecordLog.Location) {
        self.userHash = userHash
        self.at = at
        self.by = by
        self.eventsEnd = eventsEnd
    }

    package func encode() -> [UInt8] {
        var out: [UInt8] = Array(#"{"user_hash":"#.utf8)
        JSONString.append(userHash, to: &out)
        out += #","at":"#.utf8
        JSONString.append(Timestamp.format(at), to: &out)
        out += #","by":"#.utf8
        JSONString.append(by, to: &out)
        out += #","events_end":[\#(eventsEnd.segment),\#(eventsEnd.offset)]}"#.utf8
        return out
    }

    /// - Throws: ``APIError`` when the record is not an erasure.
    package static func decode(_ bytes: [UInt8]) throws(APIError) -> ErasureRecord {
        var record = ErasureRecord(userHash: "", at: 0, by: "", eventsEnd: RecordLog.Location(segment: 0, offset: 0))
        var problems: [(String, String)] = []
        func problem(_ field: String, _ reason: String) { problems.append((field, reason)) }
        try JSONObjectBody.read(bytes, problem: problem) { key, reader throws(JSONReader.SyntaxError) in
            switch key {
            case "user_hash": record.userHash = try reader.readString()
            case "at": record.at = Timestamp.parse(try reader.readString()) ?? 0
            case "by": record.by = try reader.readString()
            case "events_end":
                try reader.expect(UInt8(ascii: "["))
                let segment = try reader.readNumber()
                try reader.expect(UInt8(ascii: ","))
                let offset = try reader.readNumber()
                try reader.expect(UInt8(ascii: "]"))
                guard segment >= 0, segment < 4e9, offset >= 0, offset < 4.3e9 else {
                    throw reader.error("events_end out of range")
                }
                record.eventsEnd = RecordLog.Location(segment: UInt32(segment), offset: UInt32(offset))
            default: try reader.skipValue()
            }
        }
        guard problems.isEmpty, !record.userHash.isEmpty else {
            throw .invalidField(field: "user_hash", reason: "an erasure record names the user's hash")
        }
        return record
    }
}
