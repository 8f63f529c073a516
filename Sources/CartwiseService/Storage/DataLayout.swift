/// Every path in a data directory, spelled once (docs/architecture.md, "Files on disk"): the
/// start-up check, `cartwise repair`, the importers and each feature's storage ask here.
package struct DataLayout: Sendable {
    /// The record logs, in the order start-up replays them (the catalog first: the click model
    /// hashes an impression's item categories as it learns).
    package enum Log: String, Sendable, CaseIterable {
        case catalog, events, orders, audit, labels, series
        /// Changes to the risk rules and lists.
        case riskPolicy = "risk-policy"
        /// Campaign definitions (`POST /campaigns`).
        case campaigns
        /// Erasures of shoppers' data (salted hashes of their ids), replayed before the others
        /// by ``ServiceStorage``.
        case erasures
    }

    package let root: String

    package init(_ root: String) { self.root = root }

    /// A log's directory of segments.
    package func log(_ log: Log) -> String { root + "/" + log.rawValue }

    /// Recommendation snapshots, one file per version.
    package var snapshots: String { root + "/snapshots" }
    /// The salt of the personal-data hashes in orders and the audit trail.
    package var riskSalt: String { root + "/risk.salt" }
    /// API key digests, when `auth.keys_file` is empty.
    package var keys: String { root + "/keys.json" }
    /// Present once the directory has had a key: keys stay required.
    package var authMarker: String { root + "/auth-required" }
    /// The demo store's orders, imported by order risk at its first start.
    package var demoOrders: String { root + "/demo/orders.csv" }
    package var demo: String { root + "/demo" }
    /// How many erasures the logs were last rewritten for (``ErasureCompactor``).
    package var erasuresCompacted: String { root + "/erasures.compacted" }

    /// Where a log's torn tails and repaired bytes are moved, never deleted.
    package static func damaged(inLog directory: String) -> String { directory + "/damaged" }
}
