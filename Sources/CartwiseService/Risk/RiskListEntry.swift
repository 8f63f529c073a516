/// One entry of the allow or block lists a risk team keeps over the API (`POST /risk/lists`).
/// Personal values (email, IP, device, shipping address) are kept only as the salted hashes the
/// orders are keyed by, so a list never holds a raw email.
package struct RiskListEntry: Sendable, Equatable {
    package enum List: String, Sendable, CaseIterable {
        case allow, block
    }

    package enum Kind: String, Sendable, CaseIterable {
        case user, email, ip, card, device, address, country, bin

        /// Kept as a salted hash.
        package var isPersonal: Bool { self == .email || self == .ip || self == .device || self == .address }
    }

    package var list: List
    package var kind: Kind
    /// As matched: the raw value, or the salted hash for a personal kind.
    package var value: String
    package var reason: String
    /// Milliseconds since the epoch.
    package var addedAt: Int64
    package var addedBy: String

    /// `block:email:<hash>`: the entry's address for `DELETE /risk/lists/{id}`.
    package var id: String { "\(list.rawValue):\(kind.rawValue):\(value)" }

    package init(list: List, kind: Kind, value: String, reason: String, addedAt: Int64, addedBy: String) {
        self.list = list
        self.kind = kind
        self.value = value
        self.reason = reason
        self.addedAt = addedAt
        self.addedBy = addedBy
    }

    /// The value an order is matched on: emails lowercased, addresses normalized, countries
    /// upper-cased, personal ones hashed.
    package static func matchValue(_ kind: Kind, _ raw: String, personal: PersonalData) -> String {
        switch kind {
        case .email: return personal.hash(raw.lowercased())
        case .ip, .device: return personal.hash(raw)
        case .address: return personal.hash(address: raw)
        case .country: return raw.uppercased()
        case .user, .card, .bin: return raw
        }
    }

    /// The order's value of each kind, as entries hold them.
    package static func values(of order: Order, keys: OrderHistory.Keys) -> [(Kind, String)] {
        var values: [(Kind, String)] = []
        if let user = order.user { values.append((.user, user)) }
        if let email = keys.emailHash { values.append((.email, email)) }
        if let ip = keys.ipHash { values.append((.ip, ip)) }
        if let card = order.cardFingerprint { values.append((.card, card)) }
        if let device = keys.deviceHash { values.append((.device, device)) }
        if let address = keys.addressHash { values.append((.address, address)) }
        if let country = order.shippingCountry { values.append((.country, country)) }
        if let bin = order.cardBIN { values.append((.bin, bin)) }
        return values
    }
}
