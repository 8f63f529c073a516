/// Little-endian binary encoding for log records and snapshots.
package struct BinaryWriter {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    package mutating func write(_ value: UInt8) { bytes.append(value) }

    package mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func write(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func write(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// LEB128: small counts and lengths take one byte.
    package mutating func writeVarint(_ value: Int) {
        var remaining = UInt64(value)
        while remaining >= 0x80 {
            bytes.append(UInt8(remaining & 0x7F) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    package mutating func write(_ text: String) {
        writeVarint(text.utf8.count)
        bytes.append(contentsOf: text.utf8)
    }
}

/// Reads what ``BinaryWriter`` wrote; every read is bounds-checked.
package struct BinaryReader {
    private let bytes: UnsafeRawBufferPointer
    package private(set) var offset = 0

    /// The data ended early or held an impossible value.
    package struct Truncated: Error, CustomStringConvertible {
        package var offset: Int
        package var description: String { "record data is truncated or malformed at byte \(offset)" }
    }

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    package var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int) throws(Truncated) -> UnsafeRawBufferPointer {
        guard count >= 0, offset + count <= bytes.count else { throw Truncated(offset: offset) }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    package mutating func readUInt8() throws(Truncated) -> UInt8 { try take(1)[0] }

    package mutating func readUInt32() throws(Truncated) -> UInt32 {
        UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self))
    }

    package mutating func readInt64() throws(Truncated) -> Int64 {
        Int64(littleEndian: try take(8).loadUnaligned(as: Int64.self))
    }

    package mutating func readDouble() throws(Truncated) -> Double {
        Double(bitPattern: UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self)))
    }

    package mutating func readVarint() throws(Truncated) -> Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readUInt8()
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            guard shift < 63 else { throw Truncated(offset: offset) }
        }
        guard result <= UInt64(Int32.max) else { throw Truncated(offset: offset) }
        return Int(result)
    }

    package mutating func readString() throws(Truncated) -> String {
        let count = try readVarint()
        return String(decoding: try take(count), as: UTF8.self)
    }
}
