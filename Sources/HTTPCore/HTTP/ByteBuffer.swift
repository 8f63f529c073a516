/// A growable byte buffer with a read index, used for a connection's input and output.
///
/// Consumed bytes are dropped lazily (when they are more than half the storage) so that a
/// pipelined burst is not copied once per request.
package struct ByteBuffer: Sendable {
    package private(set) var storage: [UInt8] = []
    package private(set) var readerIndex = 0

    package init() {}

    package init(_ bytes: [UInt8]) {
        storage = bytes
    }

    package var readableBytes: Int { storage.count - readerIndex }
    package var isEmpty: Bool { readerIndex == storage.count }

    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        storage.append(contentsOf: bytes)
    }

    package mutating func append(_ bytes: [UInt8]) {
        storage.append(contentsOf: bytes)
    }

    package mutating func append(_ text: String) {
        storage.append(contentsOf: text.utf8)
    }

    /// Marks `count` bytes as read.
    package mutating func consume(_ count: Int) {
        readerIndex += count
        if readerIndex == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= 64 * 1024)
            readerIndex = 0
        } else if readerIndex > 4096 && readerIndex * 2 > storage.count {
            storage.removeSubrange(0..<readerIndex)
            readerIndex = 0
        }
    }

    /// Runs `body` on the unread bytes.
    package func withUnreadBytes<T>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> T
    ) throws(HTTPParseError)
        -> T
    {
        let start = readerIndex
        return try storage.withUnsafeBufferPointer { (all) throws(HTTPParseError) -> T in
            try body(UnsafeBufferPointer(rebasing: all[start...]))
        }
    }

    /// A copy of unread bytes `range` (offsets from the read index).
    package func copy(_ range: Range<Int>) -> [UInt8] {
        Array(storage[(readerIndex + range.lowerBound)..<(readerIndex + range.upperBound)])
    }

    package mutating func removeAll() {
        storage.removeAll(keepingCapacity: false)
        readerIndex = 0
    }
}
