import HTTPCore

/// `DELETE /users/{id}`: erases a shopper's data (a GDPR Article 17 request). Answered once the
/// erasure is durable in `erasures/`; from then on no endpoint returns the user's events,
/// recommendations from their history or the personal fields of their orders and decisions, and
/// the next start rewrites the logs without them (``ErasureCompactor``).
package struct ErasureRoutes: Sendable {
    package let storage: ServiceStorage
    package let callers: Callers

    package init(storage: ServiceStorage, callers: Callers) {
        self.storage = storage
        self.callers = callers
    }

    package func register(on router: inout ServiceRoutes) {
        router.onDeferred(.delete, "/users/{id}", access: .admin) { request, parameters, promise in
            let user = try parameters.require("id")
            guard !user.isEmpty, TextLength.fits(user, atMost: EventDecoder.maxIDBytes) else {
                throw APIError.invalidField(field: "id", reason: "must be 1 to \(EventDecoder.maxIDBytes) characters")
            }
            let now = WallClock.milliseconds()
            // Events durable before this point are covered; any sent later are new data.
            let end = storage.events.log.end
            let record = ErasureRecord(
                userHash: storage.erased.hash(user),
                at: now,
                by: callers.name(of: request),
                eventsEnd: end
            )
            storage.erasures.submit(record.encode(), answering: promise) { [storage] _ in
                let events = storage.store.forget(user: user)
                storage.erased.erase(user, eventsEnd: end)
                var out: [UInt8] = Array(#"{"user":"#.utf8)
                JSONString.append(user, to: &out)
                out += #","erased_at":"#.utf8
                JSONString.append(Timestamp.format(now), to: &out)
                out += #","events_in_memory":\#(events),"logs_rewritten":"at the next start"}"#.utf8
                return HTTPResponse.json(out)
            }
        }
    }
}
