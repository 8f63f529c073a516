import HTTPCore

/// libFuzzer entry point: the chunked-body decoder must never crash or accept more than the
/// body limit, whatever the bytes and however they are split across reads (the first byte
/// chooses the read size, 1-256).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunkedDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let step = Int(data[0]) + 1
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let limits = HTTPParserLimits(requestLineBytes: 512, headerBytes: 2048, headerFields: 20, bodyBytes: 4096)
    var decoder = ChunkedDecoder()
    var buffer = ByteBuffer()
    var offset = 0
    while offset < input.count {
        let end = min(input.count, offset + step)
        buffer.append(Array(input[offset..<end]))
        offset = end
        do {
            if try decoder.decode(&buffer, limits: limits) { break }
        } catch {
            _ = error.makeResponse()
            break
        }
        precondition(decoder.body.count <= limits.bodyBytes, "body over the limit")
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM aliases `main` to `<module>_main`; this hands the process to libFuzzer's driver.
@_cdecl("ChunkedDecoderFuzzer_main")
public func fuzzerMain(
    _ argc: Int32,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzChunkedDecoder(data, size) }
}
