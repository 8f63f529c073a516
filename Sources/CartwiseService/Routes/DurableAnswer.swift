package import HTTPCore

/// The write path every feature shares: append the request's record, and only once the log
/// writer has made it durable change memory and answer. A record the log could not take changes
/// nothing and is answered 503, so an acknowledged write is never lost and an unacknowledged one
/// is never half-applied.
extension LogWriter {
    /// - Parameters:
    ///   - payload: the record.
    ///   - promise: the request's answer.
    ///   - apply: runs on the writer's thread once the record is durable; applies it to memory
    ///     and returns the answer.
    package func submit(
        _ payload: [UInt8],
        answering promise: HTTPResponsePromise,
        then apply: @escaping @Sendable (RecordLog.Location) -> HTTPResponse
    ) {
        submit(payload) { result in
            switch result {
            case .success(let location): promise.succeed(apply(location))
            case .failure(let error): promise.succeed(Self.unavailable(error))
            }
        }
    }

    /// The answer to a record the log could not take.
    package static func unavailable(_ error: StorageError) -> HTTPResponse {
        ProblemDetails(.serviceUnavailable, detail: "the batch was not stored: \(error)").makeResponse()
    }
}
