/// The payloads stored in the logs: a batch of events or of items, tagged by its first byte.
package enum RecordCodec {
    package static let eventBatch: UInt8 = 1
    package static let itemBatch: UInt8 = 2
    /// Item ids removed from the catalog (`DELETE /items/{id}`).
    package static let itemDeletions: UInt8 = 3

    /// A record of the catalog log.
    package enum CatalogRecord: Sendable, Equatable {
        case items([Item])
        case deletions([String])
    }

    // MARK: - Events

    package static func encode(events: [Event]) -> [UInt8] {
        var writer = BinaryWriter(capacity: events.count * 96 + 8)
        writer.write(eventBatch)
        writer.writeVarint(events.count)
        for event in events { encode(event, into: &writer) }
        return writer.bytes
    }

    static func encode(_ event: Event, into writer: inout BinaryWriter) {
        var flags: UInt8 = 0
        if event.price != nil { flags |= 1 }
        if event.orderID != nil { flags |= 2 }
        if event.impressionID != nil { flags |= 4 }
        if let clicked = event.clicked { flags |= clicked ? 24 : 8 }
        // Exposures only; older logs never set the bit, so they read as before.
        if event.campaign != nil { flags |= 32 }
        writer.write(event.type.rawValue)
        writer.write(flags)
        writer.write(event.timestamp)
        writer.write(event.value)
        if let price = event.price { writer.write(price) }
        writer.write(event.user)
        writer.write(event.item)
        if let orderID = event.orderID { writer.write(orderID) }
        if let impressionID = event.impressionID { writer.write(impressionID) }
        if let campaign = event.campaign {
            writer.write(campaign)
            writer.write(event.arm ?? "")
        }
        encode(event.context, into: &writer)
    }

    /// Decodes an event batch payload.
    /// - Throws: ``BinaryReader/Truncated`` if it is not one.
    package static func decodeEvents(_ payload: UnsafeRawBufferPointer) throws(BinaryReader.Truncated) -> [Event] {
        var reader = BinaryReader(payload)
        guard try reader.readUInt8() == eventBatch else { throw BinaryReader.Truncated(offset: 0) }
        let count = try reader.readVarint()
        var events: [Event] = []
        events.reserveCapacity(min(count, 100_000))
        for _ in 0..<count { events.append(try decodeEvent(&reader)) }
        return events
    }

    static func decodeEvent(_ reader: inout BinaryReader) throws(BinaryReader.Truncated) -> Event {
        guard let type = EventType(rawValue: try reader.readUInt8()) else {
            throw BinaryReader.Truncated(offset: reader.offset)
        }
        let flags = try reader.readUInt8()
        let timestamp = try reader.readInt64()
        let value = try reader.readDouble()
        let price = flags & 1 != 0 ? try reader.readDouble() : nil
        let user = try reader.readString()
        let item = try reader.readString()
        let orderID = flags & 2 != 0 ? try reader.readString() : nil
        let impressionID = flags & 4 != 0 ? try reader.readString() : nil
        let clicked: Bool? = flags & 8 != 0 ? flags & 16 != 0 : nil
        let campaign = flags & 32 != 0 ? try reader.readString() : nil
        let arm = flags & 32 != 0 ? try reader.readString() : nil
        return Event(
            user: user,
            item: item,
            type: type,
            value: value,
            price: price,
            timestamp: timestamp,
            orderID: orderID,
            impressionID: impressionID,
            clicked: clicked,
            context: try decodeFields(&reader),
            campaign: campaign,
            arm: arm
        )
    }

    // MARK: - Items

    package static func encode(items: [Item]) -> [UInt8] {
        var writer = BinaryWriter(capacity: items.count * 128 + 8)
        writer.write(itemBatch)
        writer.writeVarint(items.count)
        for item in items {
            var flags: UInt8 = item.available ? 1 : 0
            if item.price != nil { flags |= 2 }
            if item.stock != nil { flags |= 4 }
            if item.hidden { flags |= 8 }
            writer.write(flags)
            writer.write(item.id)
            writer.write(item.title)
            writer.writeVarint(item.categories.count)
            for category in item.categories { writer.write(category) }
            if let price = item.price { writer.write(price) }
            if let stock = item.stock { writer.write(Int64(stock)) }
            encode(item.attributes, into: &writer)
        }
        return writer.bytes
    }

    package static func encode(deletedItems ids: [String]) -> [UInt8] {
        var writer = BinaryWriter(capacity: ids.count * 16 + 8)
        writer.write(itemDeletions)
        writer.writeVarint(ids.count)
        for id in ids { writer.write(id) }
        return writer.bytes
    }

    /// Decodes a catalog log record: upserts or deletions.
    /// - Throws: ``BinaryReader/Truncated`` if it is neither.
    package static func decodeCatalog(
        _ payload: UnsafeRawBufferPointer
    ) throws(BinaryReader.Truncated) -> CatalogRecord {
        guard payload.first == itemDeletions else { return .items(try decodeItems(payload)) }
        var reader = BinaryReader(payload)
        _ = try reader.readUInt8()
        let count = try reader.readVarint()
        var ids: [String] = []
        ids.reserveCapacity(min(count, payload.count / 2))
        for _ in 0..<count { ids.append(try reader.readString()) }
        return .deletions(ids)
    }

    /// Decodes an item batch payload.
    /// - Throws: ``BinaryReader/Truncated`` if it is not one.
    package static func decodeItems(_ payload: UnsafeRawBufferPointer) throws(BinaryReader.Truncated) -> [Item] {
        var reader = BinaryReader(payload)
        guard try reader.readUInt8() == itemBatch else { throw BinaryReader.Truncated(offset: 0) }
        let count = try reader.readVarint()
        var items: [Item] = []
        for _ in 0..<count {
            let flags = try reader.readUInt8()
            let id = try reader.readString()
            let title = try reader.readString()
            var categories: [String] = []
            for _ in 0..<(try reader.readVarint()) { categories.append(try reader.readString()) }
            let price = flags & 2 != 0 ? try reader.readDouble() : nil
            let stock = flags & 4 != 0 ? Int(try reader.readInt64()) : nil
            items.append(
                Item(
                    id: id,
                    title: title,
                    categories: categories,
                    price: price,
                    available: flags & 1 != 0,
                    stock: stock,
                    attributes: try decodeFields(&reader),
                    hidden: flags & 8 != 0
                )
            )
        }
        return items
    }

    // MARK: - Flat fields

    static func encode(_ fields: [ContextField], into writer: inout BinaryWriter) {
        writer.writeVarint(fields.count)
        for field in fields {
            writer.write(field.name)
            switch field.value {
            case .string(let text):
                writer.write(UInt8(0))
                writer.write(text)
            case .number(let number):
                writer.write(UInt8(1))
                writer.write(number)
            }
        }
    }

    static func decodeFields(_ reader: inout BinaryReader) throws(BinaryReader.Truncated) -> [ContextField] {
        let count = try reader.readVarint()
        var fields: [ContextField] = []
        for _ in 0..<count {
            let name = try reader.readString()
            switch try reader.readUInt8() {
            case 0: fields.append(ContextField(name: name, value: .string(try reader.readString())))
            case 1: fields.append(ContextField(name: name, value: .number(try reader.readDouble())))
            default: throw BinaryReader.Truncated(offset: reader.offset)
            }
        }
        return fields
    }
}
