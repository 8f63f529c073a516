import ArgumentParser

/// `cartwise`: the service binary and its tools.
@main
struct CartwiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cartwise",
        abstract: "E-commerce models (recommendations, CTR, forecasting, inventory, fraud) served over HTTP.",
        subcommands: [
            ServeCommand.self, ImportCommand.self, ExportCommand.self, DemoCommand.self, ConfigCommand.self,
            BenchCommand.self, KeysCommand.self, RepairCommand.self,
            HealthcheckCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
