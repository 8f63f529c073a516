import Synchronization

/// The one way a feature hears of events: every subscriber gets each batch once the log writer
/// has made it durable (and every batch of the start-up replay), in log order, on the thread
/// that applied it. A subscriber does O(batch) work and hands anything slower to its own
/// thread, which the call wakes: trainers are woken, not polling.
package final class EventFanOut: Sendable {
    private let subscribers = Mutex<[(name: String, observer: EventObserver)]>([])

    package init() {}

    /// Adds a subscriber; features subscribe while they are built, before the logs replay.
    package func subscribe(_ name: String, _ observer: EventObserver) {
        subscribers.withLock { $0.append((name, observer)) }
    }

    /// Only events; catalog items are ignored.
    package func subscribe(_ name: String, events: @escaping @Sendable ([Event]) -> Void) {
        subscribe(name, EventObserver(events: events, items: { _ in }))
    }

    /// What the ``EventStore`` calls after applying a batch.
    package var observer: EventObserver {
        EventObserver(
            events: { [self] events in
                for subscriber in subscribers.withLock({ $0 }) { subscriber.observer.events(events) }
            },
            items: { [self] items in
                for subscriber in subscribers.withLock({ $0 }) { subscriber.observer.items(items) }
            }
        )
    }
}
