import ArgumentParser
import CartwiseService
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// `cartwise export events|items`: prints the log as NDJSON (backups, audits, the crash test).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Print every stored event or catalog item as NDJSON, in log order (read-only; the server must be stopped).",
        subcommands: [ExportEvents.self, ExportItems.self]
    )
}

struct ExportEvents: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Print every event as NDJSON.")

    @OptionGroup var options: SettingsOptions

    func run() throws {
        let settings = try options.load()
        // Erased shoppers' events are left out, also before the next start rewrites the log.
        let (erased, erasures) = try ErasedUsers.read(directory: settings.dataDirectory)
        try Export.run(options: options, log: "events") { location, payload in
            try RecordCodec.decodeEvents(payload).filter { erasures == 0 || !erased.covers($0.user, at: location) }
                .map(EventJSON.encode)
        }
    }
}

struct ExportItems: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "items",
        abstract: "Print every catalog upsert as NDJSON (later lines win)."
    )

    @OptionGroup var options: SettingsOptions

    func run() throws {
        try Export.run(options: options, log: "catalog") { _, payload in
            switch try RecordCodec.decodeCatalog(payload) {
            case .items(let items): return items.map(EventJSON.encode)
            case .deletions(let ids): return ids.map { #"{"id":"# + JSONString.quote($0) + #","deleted":true}"# }
            }
        }
    }
}

enum Export {
    static func run(
        options: SettingsOptions,
        log name: String,
        lines: (RecordLog.Location, UnsafeRawBufferPointer) throws -> [String]
    ) throws {
        let settings = try options.load()
        let directory = settings.dataDirectory
        guard FileSystem.exists(directory + "/" + name) else { return }
        let lock: DataDirectoryLock
        do {
            lock = try DataDirectoryLock(directory: directory, shared: true)
        } catch {
            throw CommandFailure("\(error)")
        }
        var output: [UInt8] = []
        // Read-only: a torn tail is skipped, not cut, and damage stops the export before any output.
        let report = try RecordLog.read(directory: directory + "/" + name) { location, payload in
            for line in try lines(location, payload) {
                output.append(contentsOf: line.utf8)
                output.append(10)
                if output.count > 1 << 20 { flush(&output) }
            }
        }
        flush(&output)
        if report.truncatedBytes > 0 {
            let note = "note: skipped an incomplete last record of \(report.truncatedBytes) bytes (a torn write)\n"
            _ = note.withCString { write(2, $0, strlen($0)) }
        }
        _ = lock
    }

    private static func flush(_ output: inout [UInt8]) {
        var offset = 0
        while offset < output.count {
            let written = output.withUnsafeBytes { write(1, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else { break }
            offset += written
        }
        output.removeAll(keepingCapacity: true)
    }
}
