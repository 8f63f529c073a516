import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// `POST /events`, `POST /items`, `GET /items/{id}` and `GET /users/{id}/events`.
///
/// A batch is parsed and validated on the event loop (about 1 µs an event), then handed to the
/// log writer; the answer is deferred until the batch is durable, so an acknowledged event
/// survives `kill -9` and power loss (with the default `storage.durability=fsync`).
package struct IngestRoutes: Sendable {
    package let store: EventStore
    package let events: LogWriter
    package let catalog: LogWriter
    package let maxBatch: Int
    package let maxFutureSkew: Int64
    package let metrics: ServiceMetrics
    /// Reads a user's events back from the log files.
    package let pool: BlockingPool
    private let pending = PendingItems()

    package init(
        store: EventStore,
        events: LogWriter,
        catalog: LogWriter,
        maxBatch: Int,
        maxFutureSkew: Int64,
        metrics: ServiceMetrics,
        pool: BlockingPool
    ) {
        self.pool = pool
        self.store = store
        self.events = events
        self.catalog = catalog
        self.maxBatch = maxBatch
        self.maxFutureSkew = maxFutureSkew
        self.metrics = metrics
    }

    package func register(on router: inout ServiceRoutes) {
        router.onDeferred(.post, "/events", access: .storefront) { request, _, promise in
            let decoder = EventDecoder(now: WallClock.milliseconds(), maxFutureSkew: maxFutureSkew)
            let batch = try BatchDecoder(kind: "events", maxEntries: maxBatch).decode(
                request.body,
                contentType: request.headers["Content-Type"]
            ) { (reader, index, problems) throws(JSONReader.SyntaxError) in
                try decoder.decode(&reader, index: index, problems: &problems)
            }
            let payload = RecordCodec.encode(events: batch)
            events.submit(payload, answering: promise) { [store, metrics] location in
                store.apply(events: batch, at: location)
                metrics.eventsIngested(batch.count)
                return HTTPResponse.json(Array("{\"accepted\":\(batch.count)}".utf8))
            }
        }

        router.onDeferred(.post, "/items", access: .storefront) { request, _, promise in
            let decoder = ItemDecoder()
            let batch = try BatchDecoder(kind: "items", maxEntries: maxBatch).decode(
                request.body,
                contentType: request.headers["Content-Type"]
            ) { (reader, index, problems) throws(JSONReader.SyntaxError) in
                try decoder.decode(&reader, index: index, problems: &problems)
            }
            catalog.submit(RecordCodec.encode(items: batch), answering: promise) { [store] _ in
                store.apply(items: batch)
                return HTTPResponse.json(Array("{\"accepted\":\(batch.count)}".utf8))
            }
        }

        // A merge patch: what it names changes, the rest of the item stays.
        router.onDeferred(.patch, "/items/{id}", access: .storefront) { request, parameters, promise in
            try JSONBody.requireJSON(request)
            let id = try parameters.require("id")
            let decoder = ItemDecoder()
            guard
                let (item, generation) = try pending.update(
                    id,
                    store: store,
                    { current throws(APIError) in
                        try decoder.patch(request.body, id: id, current: current)
                    }
                )
            else { throw APIError.notFound("item '\(id)' is not in the catalog (POST /items adds it)") }
            catalog.submit(RecordCodec.encode(items: [item])) { [store, pending] result in
                switch result {
                case .success:
                    store.apply(items: [item])
                    pending.settled(id, generation: generation)
                    promise.succeed(HTTPResponse.json(Array(EventJSON.encode(item).utf8)))
                case .failure(let error):
                    pending.settled(id, generation: generation)
                    promise.succeed(LogWriter.unavailable(error))
                }
            }
        }

        router.onBlocking(.get, "/items", access: .storefront, pool: pool) { request, _ in
            let limit = try request.queryInt("limit", default: 100, range: 1...1_000)!
            let available = try request.queryValue("available").map { text throws(APIError) -> Bool in
                switch text {
                case "true": return true
                case "false": return false
                default: throw APIError.invalidField(field: "available", reason: "must be true or false")
                }
            }
            let category = request.queryValue("category")
            if let category, category.isEmpty || !TextLength.fits(category, atMost: ItemDecoder.maxCategoryBytes) {
                throw APIError.invalidField(field: "category", reason: "must be 1 to 128 characters long")
            }
            let after = request.queryValue("after")
            if let after, after.isEmpty || !TextLength.fits(after, atMost: EventDecoder.maxIDBytes) {
                throw APIError.invalidField(field: "after", reason: "must be an item id (1 to 256 bytes)")
            }
            let page = store.catalogPage(category: category, available: available, after: after, limit: limit)
            var out: [UInt8] = Array(#"{"items":["#.utf8)
            for (index, item) in page.items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += EventJSON.encode(item).utf8
            }
            out += #"],"returned":\#(page.items.count),"matching":\#(page.matching),"next_after":"#.utf8
            if let next = page.next { JSONString.append(next, to: &out) } else { out += "null".utf8 }
            out += "}".utf8
            return HTTPResponse.json(out)
        }

        router.get("/items/{id}", access: .storefront) { _, parameters in
            let id = try parameters.require("id")
            guard let item = store.item(id) else { throw APIError.notFound("item '\(id)' is not in the catalog") }
            return HTTPResponse.json(Array(EventJSON.encode(item).utf8))
        }

        // Deleted from the catalog (durably), never recommended again; its events stay, so its
        // sales history still forecasts. `POST /items` with the id adds it back.
        router.onDeferred(.delete, "/items/{id}", access: .storefront) { _, parameters, promise in
            let id = try parameters.require("id")
            guard store.item(id) != nil else { throw APIError.notFound("item '\(id)' is not in the catalog") }
            catalog.submit(RecordCodec.encode(deletedItems: [id]), answering: promise) { [store] _ in
                store.delete(items: [id])
                return HTTPResponse(status: .noContent)
            }
        }

        router.onBlocking(.get, "/users/{id}/events", access: .storefront, pool: pool) { request, parameters in
            let user = try parameters.require("id")
            let limit = try request.queryInt("limit", default: 20, range: 1...store.recentPerUser)!
            guard let (recent, total) = store.recentEvents(user: user, limit: limit) else {
                throw APIError.notFound("user '\(user)' has no events")
            }
            // Full events live in the log; read each batch record once.
            var batches: [RecordLog.Location: [Event]] = [:]
            var lines: [String] = []
            for entry in recent {
                let location = RecordLog.Location(segment: entry.segment, offset: entry.offset)
                if batches[location] == nil {
                    let payload = try events.log.read(location)
                    batches[location] = try payload.withUnsafeBytes { try RecordCodec.decodeEvents($0) }
                }
                if let batch = batches[location], Int(entry.index) < batch.count {
                    lines.append(EventJSON.encode(batch[Int(entry.index)]))
                }
            }
            let body =
                "{\"user\":" + JSONString.quote(user) + ",\"total\":\(total),\"returned\":\(lines.count),\"events\":["
                + lines.joined(separator: ",") + "]}"
            return HTTPResponse.json(Array(body.utf8))
        }
    }

}
