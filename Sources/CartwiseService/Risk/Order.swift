/// A checkout as `POST /score-order` receives it. Everything but the id and the amount is
/// optional: a risk team sends what its checkout knows, and a missing value is a feature too.
package struct Order: Sendable, Equatable {
    package struct Line: Sendable, Equatable {
        package var item: String
        package var quantity: Double
        package var price: Double

        package init(item: String, quantity: Double, price: Double) {
            self.item = item
            self.quantity = quantity
            self.price = price
        }
    }

    package var id: String
    package var user: String?
    package var amount: Double
    package var currency: String?
    package var items: [Line] = []
    package var email: String?
    package var ip: String?
    package var shippingCountry: String?
    package var billingCountry: String?
    /// The shipping address as the checkout spells it; compared after ``normalizedAddress(_:)``.
    package var shippingAddress: String?
    /// The checkout's device identifier (a cookie or fingerprint id).
    package var deviceID: String?
    package var cardBIN: String?
    package var cardFingerprint: String?
    package var paymentMethod: String?
    /// Milliseconds since the epoch.
    package var accountCreatedAt: Int64?
    /// Milliseconds since the epoch; the time of scoring when the request has none.
    package var createdAt: Int64
    /// Whether `createdAt` came with the order (the hour-of-day feature needs a real time).
    package var createdAtGiven: Bool
    /// The risk team's own named numbers, in the order sent.
    package var signals: [(name: String, value: Double)] = []
    /// `signals` as the request spelled it (compacted JSON), for the audit trail; empty when
    /// the order did not come from a request body.
    package var signalsJSON: [UInt8] = []

    package init(id: String, amount: Double, createdAt: Int64, createdAtGiven: Bool) {
        self.id = id
        self.amount = amount
        self.createdAt = createdAt
        self.createdAtGiven = createdAtGiven
    }

    package static func == (lhs: Order, rhs: Order) -> Bool {
        lhs.id == rhs.id && lhs.user == rhs.user && lhs.amount == rhs.amount && lhs.currency == rhs.currency
            && lhs.items == rhs.items && lhs.email == rhs.email && lhs.ip == rhs.ip
            && lhs.shippingCountry == rhs.shippingCountry && lhs.billingCountry == rhs.billingCountry
            && lhs.shippingAddress == rhs.shippingAddress && lhs.deviceID == rhs.deviceID
            && lhs.cardBIN == rhs.cardBIN && lhs.cardFingerprint == rhs.cardFingerprint
            && lhs.paymentMethod == rhs.paymentMethod && lhs.accountCreatedAt == rhs.accountCreatedAt
            && lhs.createdAt == rhs.createdAt && lhs.createdAtGiven == rhs.createdAtGiven
            && lhs.signals.map(\.name) == rhs.signals.map(\.name)
            && lhs.signals.map(\.value) == rhs.signals.map(\.value)
    }

    /// An address as one key: lowercased, runs of spaces and punctuation as one space, so
    /// "12 Rue X, Paris" and "12  rue x paris" are the same parcel drop. An address of only
    /// punctuation stays as sent.
    package static func normalizedAddress(_ address: String) -> String {
        // Most addresses are ASCII: bytes, not Characters (whose Unicode properties cost most
        // of an import of the demo's 210,000 orders).
        if address.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(address.utf8.count)
            var gap = false
            for byte in address.utf8 {
                let lower = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
                if (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39) {
                    if gap && !bytes.isEmpty { bytes.append(0x20) }
                    bytes.append(lower)
                    gap = false
                } else {
                    gap = true
                }
            }
            return bytes.isEmpty ? address : String(decoding: bytes, as: UTF8.self)
        }
        var out = ""
        var gap = false
        for character in address.lowercased() {
            if character.isLetter || character.isNumber {
                if gap && !out.isEmpty { out.append(" ") }
                out.append(character)
                gap = false
            } else {
                gap = true
            }
        }
        return out.isEmpty ? address : out
    }
}
