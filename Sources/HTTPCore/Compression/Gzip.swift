import CZlib

/// One-shot gzip helpers for request bodies, tests and tools.
package enum Gzip {
    /// Compresses `input` into a gzip member with a fresh stream.
    /// - Throws: ``GzipError``.
    package static func compress(_ input: [UInt8], level: Int32 = 6) throws(GzipError) -> [UInt8] {
        try GzipCompressor(level: level).compress(input)
    }

    /// Decompresses gzip data (one or more concatenated members), refusing to produce more than
    /// `limit` bytes so that a small "zip bomb" cannot exhaust memory.
    /// - Throws: ``GzipError/corruptInput(code:)`` or ``GzipError/outputTooLarge(limit:)``.
    package static func decompress(_ input: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16: accept only the gzip wrapper.
        let initCode = cartwise_inflateInit2(&stream, 15 + 16)
        guard initCode == Z_OK else { throw .initFailed(code: initCode) }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var consumed = 0
        while true {
            let (code, produced, used) = input.withUnsafeBufferPointer { source in
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress.map { $0 + consumed })
                    stream.avail_in = UInt32(source.count - consumed)
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    let before = stream.avail_in
                    let code = inflate(&stream, Z_NO_FLUSH)
                    return (code, target.count - Int(stream.avail_out), Int(before - stream.avail_in))
                }
            }
            consumed += used
            guard output.count + produced <= limit else { throw .outputTooLarge(limit: limit) }
            output.append(contentsOf: chunk[0..<produced])
            switch code {
            case Z_STREAM_END:
                guard consumed < input.count else { return output }
                inflateReset(&stream)
            case Z_OK:
                guard used > 0 || produced > 0 else { throw .corruptInput(code: Z_BUF_ERROR) }
            case Z_BUF_ERROR where produced > 0:
                continue
            default:
                throw .corruptInput(code: code)
            }
        }
    }
}
