package import HTTPCore

/// Why a plan has no answer.
package enum PlanError: Error, Equatable, HTTPResponseConvertible, CustomStringConvertible {
    /// No assignment meets the constraints; `constraint` names the one at fault (or the set).
    case infeasible(constraint: String, detail: String)
    /// The solver failed or found nothing in its time.
    case unsolved(String)

    package var description: String {
        switch self {
        case .infeasible(_, let detail): return detail
        case .unsolved(let detail): return detail
        }
    }

    package func makeResponse() -> HTTPResponse {
        switch self {
        case .infeasible(let constraint, let detail):
            return ProblemDetails(
                .unprocessableContent,
                detail: detail,
                title: "The plan is infeasible",
                extensions: [("constraint", JSONString.quote(constraint))]
            ).makeResponse()
        case .unsolved(let detail):
            return ProblemDetails(.serviceUnavailable, detail: detail).makeResponse()
        }
    }
}
