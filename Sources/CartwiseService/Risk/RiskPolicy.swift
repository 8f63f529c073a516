/// The rules and lists in force: an immutable snapshot, replaced whole by each change. Scoring
/// takes one reference per order; a change builds the next snapshot and publishes it under the
/// lock of ``RiskPolicyBook``.
package struct RiskPolicy: Sendable {
    package var rules: [RiskRule] = RiskRule.defaults
    /// Entries by id.
    package var entries: [String: RiskListEntry] = [:]
    /// Bumped by every change; 0 for the defaults of a new directory.
    package var version = 0
    package var updatedAt: Int64 = 0
    package var updatedBy = "defaults"

    package init() {}

    /// The first entry of `list` the order is on.
    package func match(_ list: RiskListEntry.List, _ order: Order, keys: OrderHistory.Keys) -> RiskListEntry? {
        guard !entries.isEmpty else { return nil }
        for (kind, value) in RiskListEntry.values(of: order, keys: keys) {
            if let entry = entries["\(list.rawValue):\(kind.rawValue):\(value)"] { return entry }
        }
        return nil
    }

    /// The snapshot after `change`.
    package func applying(_ change: RiskPolicyChange) -> RiskPolicy {
        var next = self
        switch change.kind {
        case .rules(let rules): next.rules = rules
        case .add(let entry): next.entries[entry.id] = entry
        case .remove(let id): next.entries[id] = nil
        }
        next.version += 1
        next.updatedAt = change.at
        next.updatedBy = change.by
        return next
    }
}
