#if canImport(Glibc)
import Glibc
#endif

/// A storage failure, with the path and `errno` captured where it happened.
package enum StorageError: Error, Equatable, CustomStringConvertible {
    case io(operation: String, path: String, errno: Int32)
    case corrupt(path: String, offset: Int, reason: String)
    case locked(path: String)
    case failed(reason: String)
    /// Acknowledged records are damaged: nothing was changed, and only `cartwise repair` may.
    case damaged(LogDamage)

    package var description: String {
        switch self {
        case .io(let operation, let path, let code):
            return "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .corrupt(let path, let offset, let reason):
            return "\(path) is corrupt at byte \(offset): \(reason)"
        case .locked(let path):
            return "\(path) is locked by another Cartwise process (is the server running?)"
        case .failed(let reason):
            return "storage is unavailable: \(reason)"
        case .damaged(let damage):
            return "\(damage). The file was left as it is. Stop every Cartwise process using this data directory, "
                + "copy the directory somewhere safe, then run `cartwise repair` (docs/storage.md): it keeps every "
                + "intact record and moves the damaged bytes aside, deleting nothing"
        }
    }
}
