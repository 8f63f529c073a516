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
    /// Elements below this were released (always a whole number of chunks).
    package private(set) var released = 0

    package init() {}

    package var startIndex: Int { released }
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

    /// Frees the chunks that lie wholly below `index`; their elements may no longer be read.
    /// Indexes of the elements kept do not change.
    package mutating func release(below index: Int) {
        let chunk = Swift.min(index, count) >> Self.chunkShift
        while released >> Self.chunkShift < chunk {
            chunks[released >> Self.chunkShift] = []
            released += 1 << Self.chunkShift
        }
    }

    package subscript(position: Int) -> Element {
        get {
            precondition(position >= released && position < count, "index out of range")
            return chunks[position >> Self.chunkShift][position & Self.chunkMask]
        }
        set {
            precondition(position >= released && position < count, "index out of range")
            chunks[position >> Self.chunkShift][position & Self.chunkMask] = newValue
        }
    }
}
