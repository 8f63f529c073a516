import ArgumentParser
import CartwiseService

/// `cartwise repair`: the one command that changes a damaged log (start-up refuses one).
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract:
            "Salvage damaged logs: keep every intact record, move the damaged bytes aside (the server must be stopped).",
        discussion: """
            Start-up refuses a log with damage other than a torn tail and names the file and the \
            offset. This command rewrites each damaged segment with its intact records, found by \
            resynchronising on the record framing after each bad stretch, and saves the bad bytes \
            as <log>/damaged/<segment>@<start>-<end>.bin. Nothing is deleted. Copy the data \
            directory first; --dry-run shows what would change.
            """
    )

    @OptionGroup var options: SettingsOptions

    @Flag(help: "Report what would be repaired and change nothing.")
    var dryRun = false

    func run() throws {
        let directory = try options.load().dataDirectory
        guard FileSystem.exists(directory) else { throw CommandFailure("no data directory at \(directory)") }
        let lock: DataDirectoryLock
        do {
            lock = try DataDirectoryLock(directory: directory, shared: dryRun)
        } catch {
            throw CommandFailure("\(error)")
        }
        var damagedSegments = 0
        for name in ServiceStorage.logNames {
            for repair in try LogRepair.repair(directory: directory + "/" + name, dryRun: dryRun) {
                damagedSegments += 1
                let verb = dryRun ? "would keep" : "kept"
                print(
                    "\(repair.path): \(verb) \(repair.recordsKept) intact records; \(repair.damagedBytes) damaged bytes "
                        + (dryRun ? "would be saved to " : "saved to ") + repair.savedTo.joined(separator: ", ")
                )
            }
        }
        print(
            damagedSegments == 0
                ? "every log is intact" : "\(damagedSegments) damaged segments \(dryRun ? "found" : "repaired")"
        )
        _ = lock
    }
}
