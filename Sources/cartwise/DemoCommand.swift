import ArgumentParser
import CartwiseService

/// `cartwise demo`: writes the deterministic demo store into an empty data directory.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Generate a realistic demo store (users, items, sessions, two years of sales, orders) into the data directory.",
        discussion:
            "The server must be stopped. `cartwise serve --demo` does the same on start when the directory is empty."
    )

    @OptionGroup var options: SettingsOptions

    @Option(help: "Random seed: the same seed gives the same store.")
    var seed: UInt64 = 42

    @Option(help: "Shoppers.")
    var users = 3000

    @Option(help: "Catalog items.")
    var items = 1200

    @Option(help: "Days of history.")
    var days = 730

    func run() throws {
        guard users > 0, items > 0, days > 0 else {
            throw ValidationError("--users, --items and --days must be positive")
        }
        let settings = try options.load()
        var demo = DemoStore.Options.endingToday()
        demo.seed = seed
        demo.users = users
        demo.items = items
        demo.days = days
        let storage: ServiceStorage
        do {
            storage = try ServiceStorage.open(configuration: settings, logger: LogSetup.make(settings), demo: demo)
        } catch {
            throw CommandFailure("\(error)")
        }
        let stats = storage.store.stats
        storage.stop()
        print(
            "\(settings.dataDirectory): \(stats.events) events, \(stats.users) users, \(stats.catalogItems) catalog items"
        )
    }
}
