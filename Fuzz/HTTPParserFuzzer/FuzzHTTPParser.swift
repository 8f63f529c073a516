import HTTPCore

/// libFuzzer entry point: the parser must never crash, hang or accept more than its limits,
/// whatever the bytes and however they are split across reads.
///
/// The first byte chooses the read size (1-256) so that the fuzzer also explores every way a
/// request can be cut across reads.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let step = Int(data[0]) + 1
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let limits = HTTPParserLimits(requestLineBytes: 512, headerBytes: 2048, headerFields: 20, bodyBytes: 4096)
    var parser = HTTPParser(limits: limits)
    var buffer = ByteBuffer()
    var offset = 0
    feeding: while offset < input.count {
        let end = min(input.count, offset + step)
        buffer.append(Array(input[offset..<end]))
        offset = end
        while true {
            do {
                switch try parser.parse(&buffer) {
                case .needMore:
                    continue feeding
                case .continueExpected:
                    continue
                case .request(let request):
                    precondition(request.body.count <= limits.bodyBytes, "body over the limit")
                    _ = request.queryValue("k")
                    if request.headers["Content-Encoding"] != nil {
                        _ = try? Gzip.decompress(request.body, limit: 4096)
                    }
                }
            } catch {
                _ = error.makeResponse()
                break feeding
            }
        }
    }
    precondition(buffer.readableBytes <= input.count, "buffer grew beyond its input")
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM links an executable with `main` aliased to `<module>_main`; this hands the process to
/// libFuzzer's driver (`LLVMFuzzerRunDriver`), so the usual libFuzzer flags work.
@_cdecl("HTTPParserFuzzer_main")
public func fuzzerMain(
    _ argc: Int32,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzHTTPParser(data, size) }
}
