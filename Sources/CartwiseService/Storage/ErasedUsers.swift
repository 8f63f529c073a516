import HTTPCore
import Synchronization

/// The shoppers whose data was erased (`DELETE /users/{id}`), by the salted hash of their id:
/// the `erasures/` log holds these hashes and never an id, so the record that an erasure
/// happened does not keep what was erased.
///
/// An erasure covers the events durable before it (the event log's end when it was made): the
/// start-up replay drops those before any model sees them, while events sent later under the
/// same id are new data and kept. Decisions in the audit trail and imported orders of an erased
/// id are redacted whenever they are read. Features forget what they hold in memory through
/// ``onErase(_:)``.
package final class ErasedUsers: Sendable {
    private struct State {
        /// Per erased hash, the event log's end at its latest erasure.
        var hashes: [String: RecordLog.Location] = [:]
        /// Ids already looked up (a replay asks once per event): hashing is the costly part.
        var known: [String: Bool] = [:]
        var listeners: [@Sendable (String) -> Void] = []
    }

    private let personal: PersonalData
    private let state = Mutex(State())

    package init(personal: PersonalData) {
        self.personal = personal
    }

    package var count: Int { state.withLock { $0.hashes.count } }

    package func hash(_ user: String) -> String { personal.hash("user:" + user) }

    /// Whether `user`'s data was erased.
    package func contains(_ user: String) -> Bool {
        state.withLock { state in
            guard !state.hashes.isEmpty else { return false }
            if let answer = state.known[user] { return answer }
            let answer = state.hashes[hash(user)] != nil
            if state.known.count > 1_000_000 { state.known.removeAll(keepingCapacity: true) }
            state.known[user] = answer
            return answer
        }
    }

    /// Whether the event at `location` by `user` is covered by an erasure.
    package func covers(_ user: String, at location: RecordLog.Location) -> Bool {
        guard contains(user) else { return false }
        return state.withLock { $0.hashes[hash(user)].map { location < $0 } ?? false }
    }

    /// The erasures of a data directory, read without changing anything (export reads them
    /// this way); the ones the event log was already rewritten for cover nothing in it.
    /// - Returns: the set and how many erasure records there are.
    /// - Throws: ``StorageError``, or ``APIError`` for a record this version cannot read.
    package static func read(directory: String) throws -> (erased: ErasedUsers, records: Int) {
        var records: [ErasureRecord] = []
        try RecordLog.read(directory: DataLayout(directory).log(.erasures)) { _, payload in
            records.append(try ErasureRecord.decode(Array(payload)))
        }
        // No erasure, no salt needed (and a read-only reader must not make one).
        guard !records.isEmpty else { return (ErasedUsers(personal: PersonalData(salt: [])), 0) }
        let erased = ErasedUsers(personal: PersonalData(salt: try RiskStorage.salt(directory: directory)))
        erased.restore(records, directory: directory)
        return (erased, records.count)
    }

    /// Records replayed erasures, in log order; those the event log was rewritten for (its
    /// marker's count) cover no event of it.
    package func restore(_ records: [ErasureRecord], directory: String) {
        let compacted = ErasureCompactor.count(DataLayout(directory).log(.events) + "/" + ErasureCompactor.eventsMarker)
        for (index, record) in records.enumerated() {
            var record = record
            if index < compacted { record.eventsEnd = RecordLog.Location(segment: 0, offset: 0) }
            restore(record)
        }
    }

    /// Records a replayed erasure (no listener is told: nothing was loaded yet).
    package func restore(_ record: ErasureRecord) {
        state.withLock { state in
            state.hashes[record.userHash] = max(state.hashes[record.userHash] ?? record.eventsEnd, record.eventsEnd)
            state.known.removeAll()
        }
    }

    /// Once the logs were rewritten for every erasure, none covers an event of the log as it is
    /// now (positions recorded before the rewrite would point into a different log).
    package func compacted() {
        state.withLock { state in
            for key in state.hashes.keys { state.hashes[key] = RecordLog.Location(segment: 0, offset: 0) }
        }
    }

    /// Records a durable erasure and tells every feature to forget the user.
    package func erase(_ user: String, eventsEnd: RecordLog.Location) {
        let listeners = state.withLock { state in
            let key = hash(user)
            state.hashes[key] = max(state.hashes[key] ?? eventsEnd, eventsEnd)
            state.known[user] = true
            return state.listeners
        }
        for listener in listeners { listener(user) }
    }

    /// `forget` runs for every erasure from now on, on the thread that made it durable.
    package func onErase(_ forget: @escaping @Sendable (String) -> Void) {
        state.withLock { $0.listeners.append(forget) }
    }
}
