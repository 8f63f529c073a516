#if canImport(Glibc)
import Glibc
#endif

/// The few file operations storage needs, each failing with a ``StorageError`` that names the path.
package enum FileSystem {
    /// `mkdir -p`.
    package static func makeDirectory(_ path: String) throws(StorageError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") where part != "." {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .io(operation: "mkdir", path: current, errno: errno)
            }
        }
    }

    package static func list(_ directory: String) throws(StorageError) -> [String] {
        guard let handle = opendir(directory) else { throw .io(operation: "opendir", path: directory, errno: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    package static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    package static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    package static func readAll(_ path: String) throws(StorageError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(operation: "stat", path: path, errno: errno) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            done += count
        }
        if done < bytes.count { bytes.removeLast(bytes.count - done) }
        return bytes
    }

    /// Creates (or replaces) `path` with `bytes` and makes it durable.
    package static func writeNew(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "create", path: path, errno: errno) }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .io(operation: "write", path: path, errno: errno) }
            done += count
        }
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    package static func truncate(_ path: String, to size: Int) throws(StorageError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(size)) == 0, fsync(fd) == 0 else {
            throw .io(operation: "truncate", path: path, errno: errno)
        }
    }

    package static func rename(_ from: String, to: String) throws(StorageError) {
        guard Glibc.rename(from, to) == 0 else { throw .io(operation: "rename", path: from, errno: errno) }
    }

    package static func remove(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 else { throw .io(operation: "unlink", path: path, errno: errno) }
    }

    /// Removes a directory and what it holds (files, and directories of files one level down).
    package static func removeDirectory(_ path: String) throws(StorageError) {
        guard exists(path) else { return }
        for name in try list(path) {
            let entry = path + "/" + name
            var info = stat()
            if stat(entry, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                for inner in try list(entry) { try remove(entry + "/" + inner) }
                guard rmdir(entry) == 0 else { throw .io(operation: "rmdir", path: entry, errno: errno) }
            } else {
                try remove(entry)
            }
        }
        guard rmdir(path) == 0 else { throw .io(operation: "rmdir", path: path, errno: errno) }
    }

    /// Makes a directory's entries (a new or renamed file) durable.
    package static func syncDirectory(_ path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
    }
}

/// An exclusive `flock` on `<data>/LOCK`, held for the life of the process, so that the server and
/// an offline import never append to the same log at once.
package final class DataDirectoryLock: Sendable {
    private let fd: Int32

    /// - Parameters:
    ///   - directory: the data directory.
    ///   - shared: for a reader that changes nothing (export): a shared lock, taken on the lock
    ///     file only if it exists, so that reading never creates a file in the directory.
    /// - Throws: ``StorageError/locked(path:)`` when another process holds it.
    package init(directory: String, shared: Bool = false) throws(StorageError) {
        let path = directory + "/LOCK"
        let fd = shared ? open(path, O_RDONLY | O_CLOEXEC) : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 && shared && errno == ENOENT {
            self.fd = -1
            return
        }
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        guard flock(fd, shared ? LOCK_SH | LOCK_NB : LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .locked(path: directory)
        }
        self.fd = fd
    }

    deinit {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }
}
