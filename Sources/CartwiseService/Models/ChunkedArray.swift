/// An append-only array stored in fixed-size chunks.
///
/// A plain array doubles its buffer and copies everything when it grows: at a few million
/// elements that is a pause of tens of milliseconds, taken by whichever request appended the
/// element that crossed the line. Here an append allocates at most one new chunk and never
/// copies an element, so the cost of growing is the same at the millionth element as at the
/// first.
package struct ChunkedArray<Element>: RandomAccessCollection, Sendable where Element: Sendable {
    /// Elements per chunk: 2^16.
    package static var chunkShift: Int { 16 }
    private static var chunkMask: Int { (1 << chunkShift) - 1 }

    private var chunks: [[Element]] = []
    package private(set) var count = 0

    package init() {}

    package var startIndex: Int { 0 }
    package var endIndex: Int { count }

    package mutating func append(_ element: Element) {
        if count & Self.chunkMask == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(1 << Self.chunkShift)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    package subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < count, "index out of range")
            return chunks[position >> Self.chunkShift][position & Self.chunkMask]
        }
        set {
            precondition(position >= 0 && position < count, "index out of range")
            chunks[position >> Self.chunkShift][position & Self.chunkMask] = newValue
        }
    }
}
