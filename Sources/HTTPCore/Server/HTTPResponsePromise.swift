import Synchronization

/// A response that another thread will supply (a durable write, a training run).
///
/// Completed exactly once; later completions are ignored. The event loop attaches its
/// continuation once; whichever of the two comes second runs it.
package final class HTTPResponsePromise: Sendable {
    private enum State {
        case pending(callback: (@Sendable (HTTPResponse) -> Void)?)
        case done(HTTPResponse)
        case delivered
    }

    private let state = Mutex<State>(.pending(callback: nil))

    package init() {}

    /// Supplies the response. Safe from any thread.
    package func succeed(_ response: HTTPResponse) {
        let callback: (@Sendable (HTTPResponse) -> Void)? = state.withLock { state in
            switch state {
            case .pending(let callback?):
                state = .delivered
                return callback
            case .pending(nil):
                state = .done(response)
                return nil
            case .done, .delivered:
                return nil
            }
        }
        callback?(response)
    }

    /// Supplies the response an error renders to (see ``HTTPResponseConvertible``).
    package func fail(_ error: any Error) {
        succeed(ErrorRendering.response(for: error))
    }

    /// Registers the one continuation; runs it at once if the response is already there.
    package func whenComplete(_ callback: @escaping @Sendable (HTTPResponse) -> Void) {
        let ready: HTTPResponse? = state.withLock { state in
            switch state {
            case .pending:
                state = .pending(callback: callback)
                return nil
            case .done(let response):
                state = .delivered
                return response
            case .delivered:
                return nil
            }
        }
        if let ready { callback(ready) }
    }
}

/// Maps thrown errors to responses in one place.
package enum ErrorRendering {
    /// The error's own response if it has one, else a 500 that leaks nothing.
    package static func response(for error: any Error) -> HTTPResponse {
        if let convertible = error as? any HTTPResponseConvertible {
            return convertible.makeResponse()
        }
        return ProblemDetails(.internalServerError, detail: "an internal error occurred").makeResponse()
    }
}
