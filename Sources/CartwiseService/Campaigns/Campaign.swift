import CartwiseModels

/// A marketing campaign as `POST /campaigns` defines it: what is offered through which channel
/// at what cost, to whom, with which share held out as control, and when.
///
/// Who is control is not stored: ``isControl(_:)`` hashes (campaign, customer) with the
/// campaign's seed, so any system that sends the campaign can compute the same split.
package struct Campaign: Sendable, Equatable {
    /// What counts as a response within the attribution window.
    package enum Outcome: String, Sendable, CaseIterable {
        /// A purchase event.
        case purchase
        /// Any visit: a view, click, add-to-cart or purchase.
        case visit
    }

    /// Who the campaign is for.
    package enum Audience: Sendable, Equatable {
        /// Every known customer.
        case everyone
        /// The members of these segments of the customer model in service.
        case segments([String])
        /// These customers.
        case customers([String])
    }

    package var id: String
    package var offer: String
    package var channel: String
    package var costPerContact: Double
    /// What the offer costs the shop each time a contacted customer redeems it (a discount).
    package var offerCost: Double
    /// Gross margin of one response, when the marketer knows it; else the customer model's
    /// expected order value is used where there is one.
    package var valuePerResponse: Double?
    package var audience: Audience
    package var controlShare: Double
    package var start: Int64
    package var end: Int64
    package var attributionDays: Int
    package var outcome: Outcome
    package var seed: UInt64
    package var createdAt: Int64

    /// The arm that is not contacted.
    package static let controlArm = "control"

    package var attributionMilliseconds: Int64 { Int64(attributionDays) * 86_400_000 }

    /// Whether the hash split holds the customer out.
    package func isControl(_ customer: String) -> Bool {
        CampaignAssignment.isControl(campaign: id, customer: customer, controlShare: controlShare, seed: seed)
    }

    /// The arm the hash split puts the customer in.
    package func arm(for customer: String) -> String { isControl(customer) ? Self.controlArm : "treatment" }
}
