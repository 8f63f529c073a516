/// Who may call a route, declared where the route is registered (``ServiceRoutes``) rather than
/// in a table far from it, so a new route cannot end up with a policy nobody chose.
///
/// The router carries it as an opaque word. A word without ``declaredBit`` (a route added to
/// the ``RouterBuilder`` directly) is treated as admin-only by ``AccessControl``, and a test
/// fails on it.
package struct RouteAccess: Sendable, Equatable, CustomStringConvertible {
    /// The scopes that may call it; empty means open to everyone.
    package let scopes: Scopes

    /// No key needed: health probes and the benchmark routes.
    package static let open = RouteAccess(scopes: [])
    package static let storefront = RouteAccess(scopes: [.storefront, .admin])
    package static let risk = RouteAccess(scopes: [.risk, .admin])
    package static let ops = RouteAccess(scopes: [.ops, .admin])
    package static let admin = RouteAccess(scopes: [.admin])

    /// Any of `scopes`, or admin.
    package static func any(_ scopes: Scopes) -> RouteAccess { RouteAccess(scopes: scopes.union(.admin)) }

    private init(scopes: Scopes) { self.scopes = scopes }

    static let declaredBit: UInt32 = 1 << 16

    /// The router's word for it.
    package var word: UInt32 { Self.declaredBit | UInt32(scopes.rawValue) }

    /// The access a route's word declares, or nil when the route declared none.
    package init?(word: UInt32) {
        guard word & Self.declaredBit != 0 else { return nil }
        scopes = Scopes(rawValue: UInt8(truncatingIfNeeded: word))
    }

    package var description: String { scopes.isEmpty ? "open" : scopes.description }
}
