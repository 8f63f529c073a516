/// What an API key may reach. Each route declares the scopes that may call it where it is
/// registered (``RouteAccess``); `admin` reaches every route.
package enum Scope: String, Sendable, CaseIterable, Codable {
    /// `/recommend`, `/similar-items`, `/rank`, `/events`, `/items`, `/users/{id}/events`.
    case storefront
    /// `/score-order`, `/labels`, the thresholds dry run, `GET /models/risk`.
    case risk
    /// `GET /models`, `GET /models/ctr`, `GET /models/risk`, `/metrics`, `/forecast`,
    /// `/forecast/batch`, `/inventory/policy`, `GET /models/forecast` and `POST /series`.
    case ops
    /// Training and rollback, and everything else.
    case admin
}

/// A set of scopes as bits: every request asks which scopes its route needs, and a `Set<Scope>`
/// allocated and hashed for that was about 3 % of a cached `GET /forecast`.
package struct Scopes: OptionSet, Sendable, CustomStringConvertible {
    package let rawValue: UInt8

    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package init(_ scope: Scope) {
        switch scope {
        case .storefront: rawValue = 1
        case .risk: rawValue = 2
        case .ops: rawValue = 4
        case .admin: rawValue = 8
        }
    }

    package static let storefront = Scopes(.storefront)
    package static let risk = Scopes(.risk)
    package static let ops = Scopes(.ops)
    package static let admin = Scopes(.admin)

    /// Whether `scope` is one of them.
    package func contains(_ scope: Scope) -> Bool { contains(Scopes(scope)) }

    /// The scopes' names, sorted: "admin or ops".
    package var description: String {
        Scope.allCases.filter { contains($0) }.map(\.rawValue).sorted().joined(separator: " or ")
    }
}
