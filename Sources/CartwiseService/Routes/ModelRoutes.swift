package import HTTPCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `GET /models`, `POST /models/train`, `GET /models/training` and `POST /models/rollback`.
///
/// A training can take longer than a client waits, so `POST /models/train` waits at most `wait`
/// seconds (30 by default, never past the server's response timeout): the new model if it was
/// published by then, else 202 with the training's progress, which `GET /models/training` reports.
package struct ModelRoutes: Sendable {
    package let models: ModelStore
    package let trainer: Trainer
    package let directory: String
    package let store: EventStore
    /// The longest `wait` accepted: a second under `server.timeouts.response_s`.
    package let maxWait: Double

    package init(models: ModelStore, trainer: Trainer, directory: String, store: EventStore, maxWait: Double = 59) {
        self.models = models
        self.trainer = trainer
        self.directory = directory
        self.store = store
        self.maxWait = max(0, maxWait)
    }

    package func register(on router: inout RouterBuilder) {
        router.get("/models") { _, _ in
            guard let snapshot = models.snapshot else {
                throw APIError.notFound("no model has been trained yet")
            }
            return HTTPResponse.json(Array(describe(snapshot).utf8))
        }

        router.get("/models/training") { _, _ in
            HTTPResponse.json(Array(trainingJSON().utf8))
        }

        router.onDeferred(.post, "/models/train") { request, _, promise in
            let wait = try request.queryDouble("wait", default: min(30, maxWait), range: 0...maxWait)!
            let answered = Atomic(false)
            trainer.trainNow { result in
                answered.store(true, ordering: .releasing)
                switch result {
                case .success(let snapshot):
                    promise.succeed(HTTPResponse.json(Array(describe(snapshot).utf8)))
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
                var response = HTTPResponse.json(Array(trainingJSON().utf8))
                response.status = .accepted
                response.headers.set("Location", "/models/training")
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

        router.post("/models/rollback") { _, _ in
            do {
                return HTTPResponse.json(Array(describe(try trainer.rollback()).utf8))
            } catch let error as TrainerError {
                throw ProblemDetails(.conflict, detail: error.description)
            }
        }
    }

    private func trainingJSON() -> String {
        trainer.status.json(now: Trainer.wallClockMilliseconds(), version: models.snapshot?.version)
    }

    private func describe(_ snapshot: ModelSnapshot) -> String {
        let info = snapshot.info
        let versions = SnapshotFile.versions(in: directory).map(String.init).joined(separator: ",")
        return "{\"version\":\(info.version),\"trained_at\":\"" + Timestamp.format(info.trainedAt) + "\","
            + "\"training_seconds\":\(RecommendRoutes.number(Float(info.trainingSeconds))),"
            + "\"data\":{\"users\":\(info.users),\"items\":\(info.items),\"interactions\":\(info.interactions),"
            + "\"events_seen\":\(info.sequence),\"events_since\":\(max(0, store.sequence - info.sequence))},"
            + "\"quality\":{\"precision_at_10\":\(RecommendRoutes.number(Float(info.precisionAt10))),"
            + "\"users_evaluated\":\(info.usersEvaluated),\"method\":\"each evaluated user's latest item held out of training\"},"
            + "\"parameters\":{\"factors\":\(info.factors),\"regularization\":\(info.regularization),"
            + "\"alpha\":\(info.alpha),\"iterations\":\(info.iterations)},"
            + "\"versions_on_disk\":[" + versions + "]}"
    }
}
