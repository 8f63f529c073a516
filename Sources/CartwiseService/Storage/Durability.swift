/// When an acknowledged write is on stable storage.
package enum Durability: Sendable, Equatable {
    /// `fdatasync` before every acknowledgement (group-committed): survives `kill -9` and power loss.
    case fsync
    /// Acknowledge after `write`; `fdatasync` every interval. Survives `kill -9` (the data is in
    /// the page cache); power loss can lose up to the last interval of acknowledged events.
    case interval(milliseconds: Int)
    /// Acknowledge after `write`; sync only on rotation and shutdown. Survives `kill -9`; power
    /// loss can lose any acknowledged event not yet written back by the kernel (typically < 30 s).
    case none

    package init?(setting: String, intervalMilliseconds: Int) {
        switch setting {
        case "fsync": self = .fsync
        case "interval": self = .interval(milliseconds: intervalMilliseconds)
        case "none": self = .none
        default: return nil
        }
    }
}
