import CartwiseService

/// libFuzzer entry point for every request-body decoder and every log-record decoder: whatever
/// the bytes, each either decodes or reports a problem; none may crash, trap or hang. The first
/// byte picks the decoder, the rest is the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBodyDecoders(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let now: Int64 = 1_790_000_000_000
    switch data[0] % 9 {
    case 0, 1:
        // POST /events as JSON or NDJSON.
        let decoder = EventDecoder(now: now)
        _ = try? BatchDecoder(kind: "events", maxEntries: 100).decode(
            body,
            contentType: data[0] % 9 == 0 ? "application/json" : "application/x-ndjson"
        ) { (reader, index, problems) throws(JSONReader.SyntaxError) in
            try decoder.decode(&reader, index: index, problems: &problems)
        }
    case 2:
        let decoder = ItemDecoder()
        _ = try? BatchDecoder(kind: "items", maxEntries: 100).decode(body, contentType: "application/json") {
            (reader, index, problems) throws(JSONReader.SyntaxError) in
            try decoder.decode(&reader, index: index, problems: &problems)
        }
    case 3: _ = try? RankRequest(body: body, now: now)
    case 4: _ = try? OrderDecoder.decode(body, now: now)
    case 5: _ = try? LabelRequest.decode(body, now: now)
    case 6: _ = body.withUnsafeBytes { try? AuditEntry.decode($0) }
    case 7: _ = body.withUnsafeBytes { try? OrderRecord.decode(batch: $0) }
    default:
        _ = body.withUnsafeBytes { try? RecordCodec.decodeEvents($0) }
        _ = body.withUnsafeBytes { try? RecordCodec.decodeItems($0) }
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
@_cdecl("BodyDecoderFuzzer_main")
public func fuzzerMain(
    _ argc: Int32,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzBodyDecoders(data, size) }
}
