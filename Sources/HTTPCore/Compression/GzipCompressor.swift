import CZlib

/// A reusable gzip compressor that owns one zlib deflate stream.
///
/// `deflateInit2` allocates about 256 KiB of state; doing that per response would cost an `mmap`
/// and page faults each time, so each event loop keeps one compressor and resets it between uses.
/// Not thread-safe: one owner thread.
package final class GzipCompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    package let level: Int32

    /// - Parameter level: 1 (fastest) to 9 (smallest); 5 is a good trade for JSON.
    /// - Throws: ``GzipError/initFailed(code:)``.
    package init(level: Int32 = 5) throws(GzipError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        self.level = level
        // windowBits 15 + 16: a gzip member (header and CRC32 trailer) rather than raw zlib.
        let code = cartwise_deflateInit2(stream, level, 15 + 16, 8)
        guard code == Z_OK else {
            stream.deallocate()
            throw .initFailed(code: code)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input` into one complete gzip member.
    /// - Throws: ``GzipError/streamFailed(code:)``.
    package func compress(_ input: [UInt8]) throws(GzipError) -> [UInt8] {
        defer { deflateReset(stream) }
        let bound = Int(deflateBound(stream, UInt(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        let code = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.pointee.avail_in = UInt32(source.count)
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = UInt32(target.count)
                return deflate(stream, Z_FINISH)
            }
        }
        guard code == Z_STREAM_END else { throw .streamFailed(code: code) }
        output.removeLast(Int(stream.pointee.avail_out))
        return output
    }
}
