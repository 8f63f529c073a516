package import HTTPCore

/// `GET /models`, `POST /models/train` (answers once the new model is published) and
/// `POST /models/rollback`.
package struct ModelRoutes: Sendable {
    package let models: ModelStore
    package let trainer: Trainer
    package let directory: String
    package let store: EventStore

    package init(models: ModelStore, trainer: Trainer, directory: String, store: EventStore) {
        self.models = models
        self.trainer = trainer
        self.directory = directory
        self.store = store
    }

    package func register(on router: inout RouterBuilder) {
        router.get("/models") { _, _ in
            guard let snapshot = models.snapshot else {
                throw APIError.notFound("no model has been trained yet")
            }
            return HTTPResponse.json(Array(describe(snapshot).utf8))
        }

        router.onDeferred(.post, "/models/train") { _, _, promise in
            trainer.trainNow { result in
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
        }

        router.post("/models/rollback") { _, _ in
            do {
                return HTTPResponse.json(Array(describe(try trainer.rollback()).utf8))
            } catch let error as TrainerError {
                throw ProblemDetails(.conflict, detail: error.description)
            }
        }
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
