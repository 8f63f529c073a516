import HTTPCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `/models` for every family, written once: `GET /models` lists each family's card,
/// `POST /models/{family}/train`, `POST /models/{family}/rollback` and
/// `GET /models/{family}/training` work for each. `POST /models/train`, `/models/rollback` and
/// `GET /models/training` remain the recommendation family's, as before.
///
/// A training can take longer than a client waits, so a train call waits at most `wait` seconds
/// (30 by default, never past the server's response timeout): the new model if it was published
/// by then, else 202 with the training's progress. A rollback reads a file or swaps a reference
/// on the blocking pool; it never waits for a training that runs.
package struct ModelRoutes: Sendable {
    package let families: [any ModelFamily]
    /// The recommendation trainer, for the original routes and their detailed answer.
    package let recommend: RecommendTrainer
    package let store: EventStore
    package let pool: BlockingPool
    /// The longest `wait` accepted: a second under `server.timeouts.response_s`.
    package let maxWait: Double

    package init(
        families: [any ModelFamily],
        recommend: RecommendTrainer,
        store: EventStore,
        pool: BlockingPool,
        maxWait: Double = 59
    ) {
        self.families = families
        self.recommend = recommend
        self.store = store
        self.pool = pool
        self.maxWait = max(0, maxWait)
    }

    package func register(on router: inout ServiceRoutes) {
        router.get("/models", access: .ops) { _, _ in
            HTTPResponse.json(Array(listing().utf8))
        }

        router.get("/models/training", access: .ops) { _, _ in
            HTTPResponse.json(Array(trainingJSON(recommend).utf8))
        }
        router.get("/models/{family}/training", access: .ops) { _, parameters in
            HTTPResponse.json(Array(trainingJSON(try family(parameters)).utf8))
        }

        router.onDeferred(.post, "/models/train", access: .admin) { request, _, promise in
            try train(recommend, request, promise) { _ in
                guard let snapshot = recommend.models.model else { return "{}" }
                return describe(snapshot)
            }
        }
        router.onDeferred(.post, "/models/{family}/train", access: .admin) { request, parameters, promise in
            let family = try family(parameters)
            try train(family, request, promise) { card in card.json(versions: family.versions, held: family.isHeld) }
        }

        router.onBlocking(.post, "/models/rollback", access: .admin, pool: pool) { _, _ in
            _ = try rollback(recommend)
            guard let snapshot = recommend.models.model else { throw APIError.notFound("no model in service") }
            return HTTPResponse.json(Array(describe(snapshot).utf8))
        }
        router.onBlocking(.post, "/models/{family}/rollback", access: .admin, pool: pool) { _, parameters in
            let family = try family(parameters)
            let card = try rollback(family)
            return HTTPResponse.json(Array(card.json(versions: family.versions, held: family.isHeld).utf8))
        }
    }

    private func family(_ parameters: RouteParameters) throws -> any ModelFamily {
        let name = try parameters.require("family")
        guard let family = families.first(where: { $0.family == name }) else {
            throw APIError.notFound(
                "no model family '\(name.prefix(64))'; the families are "
                    + families.map(\.family).joined(separator: ", ")
            )
        }
        return family
    }

    private func rollback(_ family: any ModelFamily) throws -> ModelCard {
        do {
            return try family.rollback()
        } catch let error as TrainerError {
            throw ProblemDetails(.conflict, detail: error.description)
        }
    }

    /// Asks `family` for a training; answers with `render(card)` when it is published within
    /// `wait` seconds, else 202 and the progress.
    private func train(
        _ family: any ModelFamily,
        _ request: HTTPRequest,
        _ promise: HTTPResponsePromise,
        render: @escaping @Sendable (ModelCard) -> String
    ) throws {
        let wait = try request.queryDouble("wait", default: min(30, maxWait), range: 0...maxWait)!
        let answered = Atomic(false)
        family.train { result in
            answered.store(true, ordering: .releasing)
            switch result {
            case .success(let card):
                promise.succeed(HTTPResponse.json(Array(render(card).utf8)))
            case .failure(let error as TrainerError):
                promise.succeed(ProblemDetails(.conflict, detail: error.description).makeResponse())
            case .failure(let error):
                promise.succeed(
                    ProblemDetails(.internalServerError, detail: "training failed: \(error)").makeResponse()
                )
            }
        }
        // Whichever comes first answers: the promise takes one completion and ignores the other.
        let accepted: @Sendable () -> Void = { [self] in
            var response = HTTPResponse.json(Array(trainingJSON(family).utf8))
            response.status = .accepted
            response.headers.set(
                "Location",
                family.family == recommend.family ? "/models/training" : "/models/\(family.family)/training"
            )
            promise.succeed(response)
        }
        if wait == 0 {
            accepted()
        } else {
            // Sleeps in short steps so that it ends soon after a training that beat it.
            try NativeThread.detached(name: "train-wait") {
                let deadline = MonotonicClock.nanoseconds() + UInt64(wait * 1e9)
                while MonotonicClock.nanoseconds() < deadline {
                    if answered.load(ordering: .acquiring) { return }
                    usleep(50_000)
                }
                accepted()
            }
        }
    }

    private func trainingJSON(_ family: any ModelFamily) -> String {
        family.status.json(now: WallClock.milliseconds(), version: family.card?.version)
    }

    /// Every family's card (null before its first model), and, as before, the recommendation
    /// model's details at the top level once it has one.
    private func listing() -> String {
        let cards = families.map { family in
            "{\"family\":\"\(family.family)\",\"model\":"
                + (family.card?.json(versions: family.versions, held: family.isHeld) ?? "null")
                + ",\"training\":" + trainingJSON(family) + "}"
        }
        var body = "{\"families\":[" + cards.joined(separator: ",") + "]"
        if let snapshot = recommend.models.model {
            let details = describe(snapshot)
            body += "," + details.dropFirst().dropLast()
        }
        return body + "}"
    }

    private func describe(_ snapshot: RecommendSnapshot) -> String {
        let info = snapshot.info
        let versions = recommend.versions.map(String.init).joined(separator: ",")
        return "{\"version\":\(info.version),\"trained_at\":\"" + Timestamp.format(info.trainedAt) + "\","
            + "\"training_seconds\":\(RecommendRoutes.number(Float(info.trainingSeconds))),"
            + "\"data\":{\"users\":\(info.users),\"items\":\(info.items),\"interactions\":\(info.interactions),"
            + "\"events_seen\":\(info.sequence),\"events_since\":\(max(0, store.sequence - info.sequence))},"
            + "\"quality\":{\"precision_at_10\":\(RecommendRoutes.number(Float(info.precisionAt10))),"
            + "\"users_evaluated\":\(info.usersEvaluated),\"method\":\"each evaluated user's latest item held out of training\"},"
            + "\"parameters\":{\"factors\":\(info.factors),\"regularization\":\(info.regularization),"
            + "\"alpha\":\(info.alpha),\"iterations\":\(info.iterations)},"
            + "\"versions_on_disk\":[" + versions + "],\"held\":\(recommend.isHeld)}"
    }
}
