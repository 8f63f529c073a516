import ArgumentParser
import CartwiseService
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `cartwise serve`: runs the service until SIGTERM or SIGINT, then drains and exits 0.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service (the default command)."
    )

    @OptionGroup var options: SettingsOptions

    @Flag(help: "If the data directory holds no events, generate the demo store (seed 42) first.")
    var demo = false

    func run() throws {
        let settings = try options.load()
        let logger = LogSetup.make(settings)
        // Blocked before any thread starts, so every thread inherits the mask and only
        // the sigwait below ever sees these signals.
        TerminationSignals.block()
        let application: Application
        do {
            application = try Application.start(
                configuration: settings,
                logger: logger,
                demo: demo ? DemoStore.Options() : nil
            )
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        let signal = TerminationSignals.wait()
        logger.info("signal received", metadata: ["signal": "\(signal == SIGTERM ? "SIGTERM" : "SIGINT")"])
        application.shutdown()
    }
}

/// Builds the root logger from `log.level` and `log.format`.
enum LogSetup {
    static func make(_ settings: ServiceConfiguration) -> Logger {
        let level = settings.logLevel
        let json = settings.logFormat == "json"
        var logger = Logger(label: "cartwise") { label in
            if json { return JSONLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        logger.logLevel = level
        return logger
    }
}
