import Synchronization

/// Runs an action once, when the last of `count` pieces of work has reported in (from any
/// thread): a batch answer that waits for several first fits.
final class Countdown: Sendable {
    private let left: Atomic<Int>
    private let action: @Sendable () -> Void

    init(_ count: Int, action: @escaping @Sendable () -> Void) {
        left = Atomic(count)
        self.action = action
    }

    /// One piece is done; the last one runs the action.
    func tick() {
        if left.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { action() }
    }
}
