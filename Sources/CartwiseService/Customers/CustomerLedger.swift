import Synchronization

/// Everything the customer model is built from, kept as events and imported orders arrive:
/// each shopper's purchase lines (with their price and whether it was a discount), the orders
/// imported for them, their devices and channels, and when they were first and last seen.
///
/// It holds what a profile needs and nothing a request reads: the trainer takes a copy (the
/// arrays are copy-on-write, so the copy is O(1) under the lock) and builds the served
/// ``CustomerModel`` from it outside the lock.
package final class CustomerLedger: Sendable {
    /// One purchase line of a `purchase` event.
    package struct Line: Sendable, Equatable {
        package var item: Int32
        package var day: Int32
        package var units: Float
        /// Units sent back (`return` events naming the line's order and item).
        package var returned: Float = 0
        /// The unit price paid; NaN when the event gave none (the catalog's is used).
        package var price: Double
        /// The event said it was bought on a discount or promotion.
        package var discounted: Bool
        package var order: String?
    }

    /// An order from `cartwise import orders` (or the demo's orders file).
    package struct ImportedOrder: Sendable, Equatable {
        package var id: String
        package var day: Int32
        package var amount: Double
    }

    /// One shopper's record.
    package struct Record: Sendable {
        package var lines: [Line] = []
        package var imported: [ImportedOrder] = []
        /// Events per context value of `device`, and of `channel`.
        package var devices: [String: Int32] = [:]
        package var channels: [String: Int32] = [:]
        package var firstSeen = Int64.max
        package var lastSeen = Int64.min
        package var events: Int32 = 0
    }

    /// A frozen copy for the trainer.
    package struct Contents: Sendable {
        package var customers: [String: Record] = [:]
        package var itemNames: [String] = []
        /// The newest event or order time seen (milliseconds): the default as-of date.
        package var latest = Int64.min
        /// Changes with every change, so a trainer knows whether there is anything new.
        package var generation = 0
    }

    private struct State {
        var contents = Contents()
        var items: [String: Int32] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    /// The UTC day of a time in milliseconds, as the customer model stores days.
    package static func day(_ milliseconds: Int64) -> Int32 {
        Int32(clamping: Timestamp.day(milliseconds))
    }

    /// The event log's subscriber.
    package var observer: EventObserver {
        EventObserver(events: { [self] in apply($0) }, items: { _ in })
    }

    /// Takes in a batch of durable events.
    package func apply(_ events: [Event]) {
        state.withLock { state in
            for event in events {
                state.contents.latest = max(state.contents.latest, event.timestamp)
                // Looked up before the record is borrowed in place below.
                let item: Int32? =
                    switch event.type {
                    case .purchase: Self.itemIndex(event.item, &state)
                    case .returned: state.items[event.item]
                    default: nil
                    }
                // In place: copying a record out and back would copy its lines on every event.
                Self.record(event, item: item, into: &state.contents.customers[event.user, default: Record()])
            }
            state.contents.generation += 1
        }
    }

    private static func record(_ event: Event, item: Int32?, into record: inout Record) {
        record.events &+= 1
        record.firstSeen = min(record.firstSeen, event.timestamp)
        record.lastSeen = max(record.lastSeen, event.timestamp)
        var discounted = false
        for field in event.context {
            switch (field.name, field.value) {
            case ("device", .string(let device)): record.devices[device, default: 0] += 1
            case ("channel", .string(let channel)): record.channels[channel, default: 0] += 1
            case ("discount", .number(let amount)), ("promotion", .number(let amount)):
                discounted = discounted || amount > 0
            case ("discount", .string(let flag)), ("promotion", .string(let flag)):
                discounted = discounted || !["", "0", "false", "no", "none"].contains(flag.lowercased())
            default: break
            }
        }
        guard let item else { return }
        switch event.type {
        case .purchase:
            record.lines.append(
                Line(
                    item: item,
                    day: day(event.timestamp),
                    units: Float(event.value),
                    price: event.price ?? .nan,
                    discounted: discounted,
                    order: event.orderID
                )
            )
        case .returned:
            // The newest line of that item (in that order, when the return names one) not yet
            // sent back in full.
            if let position = record.lines.lastIndex(where: {
                $0.item == item && (event.orderID == nil || $0.order == event.orderID) && $0.returned < $0.units
            }) {
                record.lines[position].returned = min(
                    record.lines[position].units,
                    record.lines[position].returned + Float(event.value)
                )
            }
        default:
            break
        }
    }

    /// Takes in imported orders: those with a user and not labelled fraud are purchases (a
    /// fraudster's order is not a customer's).
    package func apply(orders: [OrderRecord]) {
        state.withLock { state in
            var changed = false
            for order in orders {
                guard let user = order.keys.user, order.fraud != true else { continue }
                Self.record(order, into: &state.contents.customers[user, default: Record()])
                state.contents.latest = max(state.contents.latest, order.createdAt)
                changed = true
            }
            if changed { state.contents.generation += 1 }
        }
    }

    private static func record(_ order: OrderRecord, into record: inout Record) {
        record.imported.append(ImportedOrder(id: order.id, day: day(order.createdAt), amount: order.amount))
        record.firstSeen = min(record.firstSeen, order.createdAt)
        record.lastSeen = max(record.lastSeen, order.createdAt)
    }

    /// Drops a shopper (`DELETE /users/{id}`).
    package func forget(user: String) {
        state.withLock { state in
            if state.contents.customers.removeValue(forKey: user) != nil { state.contents.generation += 1 }
        }
    }

    /// One shopper's record (the uplift model reads their purchase history).
    package func record(of user: String) -> Record? { state.withLock { $0.contents.customers[user] } }

    /// A copy of everything, for the trainer.
    package var contents: Contents { state.withLock { $0.contents } }

    /// The generation now, to compare with the one last trained on.
    package var generation: Int { state.withLock { $0.contents.generation } }

    private static func itemIndex(_ id: String, _ state: inout State) -> Int32 {
        if let known = state.items[id] { return known }
        let index = Int32(state.contents.itemNames.count)
        state.items[id] = index
        state.contents.itemNames.append(id)
        return index
    }
}
