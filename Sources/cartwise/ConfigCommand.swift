import ArgumentParser
import CartwiseService

/// `cartwise config`: prints the effective configuration, or the documented defaults file.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the effective configuration (flags > env > file > defaults)."
    )

    @Flag(help: "Print the documented defaults file (what config/cartwise.json holds) instead.")
    var defaults = false

    @OptionGroup var options: SettingsOptions

    func run() throws {
        if defaults {
            print(ServiceConfiguration.renderDocumentedFile(), terminator: "")
            return
        }
        let settings = try options.load()
        for setting in SettingsCatalog.all {
            print("\(setting.key) = \(settings.values[setting.key]!.json)")
        }
    }
}
