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

    @Option(help: "PEM certificate chain: serve TLS 1.2/1.3 only (server.tls.cert). SIGHUP reloads it.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert (server.tls.key).")
    var tlsKey: String?

    func run() throws {
        var extra: [(key: String, value: String)] = []
        if let tlsCert { extra.append(("server.tls.cert", tlsCert)) }
        if let tlsKey { extra.append(("server.tls.key", tlsKey)) }
        let settings = try options.load(extra: extra)
        let logger = LogSetup.make(settings)
        for warning in settings.warnings { logger.warning("\(warning)") }
        // Blocked before any thread starts, so every thread inherits the mask and only
        // the sigwait below ever sees these signals.
        TerminationSignals.block()
        let application: Application
        do {
            application = try Application.start(
                configuration: settings,
                logger: logger,
                demo: demo ? DemoStore.Options.endingToday() : nil
            )
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        while true {
            let signal = TerminationSignals.wait()
            if signal == SIGHUP {
                do {
                    try application.reloadTLS()
                } catch {
                    logger.error("TLS reload failed; the old certificate stays", metadata: ["error": "\(error)"])
                }
                continue
            }
            logger.info("signal received", metadata: ["signal": "\(signal == SIGTERM ? "SIGTERM" : "SIGINT")"])
            break
        }
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
