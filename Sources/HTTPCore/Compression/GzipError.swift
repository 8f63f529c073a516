/// A zlib failure, with zlib's return code captured at the call.
package enum GzipError: Error, Equatable, Sendable, CustomStringConvertible {
    case initFailed(code: Int32)
    case streamFailed(code: Int32)
    case corruptInput(code: Int32)
    case outputTooLarge(limit: Int)

    package var description: String {
        switch self {
        case .initFailed(let code): return "zlib init failed (code \(code))"
        case .streamFailed(let code): return "zlib stream failed (code \(code))"
        case .corruptInput(let code): return "gzip data is corrupt or truncated (zlib code \(code))"
        case .outputTooLarge(let limit): return "decompressed data exceeds \(limit) bytes"
        }
    }
}
