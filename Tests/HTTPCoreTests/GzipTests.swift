import CZlib
import HTTPCore
import Testing

@Suite struct GzipTests {
    @Test func roundTripRestoresTheBytes() throws {
        let text = Array(String(repeating: "{\"item\":\"sku-123\",\"score\":0.5},", count: 500).utf8)
        let compressor = try GzipCompressor(level: 5)
        for _ in 0..<3 {
            // The same stream is reset and reused between bodies.
            let packed = try compressor.compress(text)
            #expect(packed.count < text.count / 5)
            #expect(packed.prefix(2) == [0x1f, 0x8b])
            #expect(try Gzip.decompress(packed, limit: 1 << 20) == text)
        }
        #expect(try Gzip.decompress(try Gzip.compress([]), limit: 10) == [])
    }

    /// zlib's own `crc32` is the independent reference for the gzip trailer.
    @Test func trailerCarriesZlibCRC32AndLength() throws {
        let input = Array("The quick brown fox jumps over the lazy dog".utf8)
        let packed = try Gzip.compress(input)
        let trailer = Array(packed.suffix(8))
        let crc = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
        let size = UInt32(trailer[4]) | UInt32(trailer[5]) << 8 | UInt32(trailer[6]) << 16 | UInt32(trailer[7]) << 24
        let expected = input.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        #expect(crc == 0x414f_a339)
        #expect(crc == expected)
        #expect(size == UInt32(input.count))
    }

    @Test func concatenatedMembersDecodeAsOne() throws {
        let joined = try Gzip.compress(Array("abc".utf8)) + Gzip.compress(Array("def".utf8))
        #expect(try Gzip.decompress(joined, limit: 100) == Array("abcdef".utf8))
    }

    @Test func bombsAreStoppedAtTheLimit() throws {
        let zeros = [UInt8](repeating: 0, count: 10 << 20)
        let packed = try Gzip.compress(zeros, level: 9)
        #expect(packed.count < 20_000)
        #expect(throws: GzipError.outputTooLarge(limit: 1 << 20)) { try Gzip.decompress(packed, limit: 1 << 20) }
    }

    @Test func corruptOrTruncatedInputIsAnError() throws {
        let packed = try Gzip.compress(Array(String(repeating: "x", count: 1000).utf8))
        #expect(throws: GzipError.self) { try Gzip.decompress(Array(packed.dropLast(4)), limit: 1 << 20) }
        #expect(throws: GzipError.self) { try Gzip.decompress(Array("not gzip".utf8), limit: 1 << 20) }
        var flipped = packed
        flipped[flipped.count / 2] ^= 0xff
        #expect(throws: GzipError.self) { try Gzip.decompress(flipped, limit: 1 << 20) }
    }
}
