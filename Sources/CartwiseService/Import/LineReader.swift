#if canImport(Glibc)
import Glibc
#endif

/// Reads a file line by line in 4 MiB chunks, handing each line (without `\n` or `\r\n`) to a closure
/// as bytes, so multi-gigabyte imports run in constant memory.
package struct LineReader {
    package let path: String

    package init(path: String) {
        self.path = path
    }

    /// Calls `body(lineNumber, bytes, bytesReadSoFar)` for every line; stops when it returns false.
    /// - Throws: ``StorageError`` when the file cannot be read, or what `body` throws.
    package func forEachLine(_ body: (Int, UnsafeBufferPointer<UInt8>, Int) throws -> Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var filled = 0
        var consumed = 0
        var line = 0
        var atEnd = false
        while !atEnd {
            if filled == buffer.count {
                if consumed == 0 { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + consumed, byteCount: filled - consumed)
                }
                filled -= consumed
                consumed = 0
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StorageError.io(operation: "read", path: path, errno: errno)
            }
            if count == 0 { atEnd = true }
            filled += count
            let keepGoing = try buffer.withUnsafeBufferPointer { bytes -> Bool in
                var start = consumed
                var index = consumed
                while index < filled {
                    if bytes[index] == UInt8(ascii: "\n") {
                        var end = index
                        if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                        line += 1
                        guard try body(line, UnsafeBufferPointer(rebasing: bytes[start..<end]), index + 1) else {
                            return false
                        }
                        start = index + 1
                    }
                    index += 1
                }
                if atEnd && start < filled {
                    line += 1
                    guard try body(line, UnsafeBufferPointer(rebasing: bytes[start..<filled]), filled) else {
                        return false
                    }
                    start = filled
                }
                consumed = start
                return true
            }
            if !keepGoing { return }
        }
    }
}
