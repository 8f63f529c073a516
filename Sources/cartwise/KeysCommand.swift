import ArgumentParser
import CartwiseService

/// `cartwise keys add|list|remove`: the API keys of the data directory (or `auth.keys_file`).
/// Only digests are stored; `add` prints the new key once, on its own last line.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage API keys (scopes: storefront, risk, ops, admin).",
        discussion: """
            A running server re-reads the keys file within a second of a change. With no keys at all, \\
            authentication is off (the demo); the server says so when it starts.
            """,
        subcommands: [KeysAdd.self, KeysList.self, KeysRemove.self]
    )
}

struct KeysAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create a key; it is printed once, on the last line, and only its SHA-256 is stored."
    )

    @Argument(help: "A name for the key (who holds it), shown in logs and errors instead of the key.")
    var name: String

    @Option(help: "Comma-separated scopes: storefront, risk, ops, admin.")
    var scopes: String

    @Option(help: "Requests per second allowed (token bucket refill); 0 = unlimited.")
    var rate = 0.0

    @Option(help: "Requests allowed at once (bucket size); default: the rate, at least 1.")
    var burst: Double?

    @OptionGroup var options: SettingsOptions

    func run() throws {
        var parsed: [Scope] = []
        for part in scopes.split(separator: ",") {
            guard let scope = Scope(rawValue: String(part.filter { $0 != " " })) else {
                throw ValidationError("--scopes: '\(part)' is not one of storefront, risk, ops, admin")
            }
            parsed.append(scope)
        }
        guard !parsed.isEmpty else { throw ValidationError("--scopes needs at least one scope") }
        guard rate >= 0, rate.isFinite else { throw ValidationError("--rate must be 0 or more") }
        let settings = try options.load()
        try FileSystem.makeDirectory(settings.dataDirectory)
        let key = try APIKeyStore(path: settings.keysFile).add(
            name: name,
            scopes: parsed,
            ratePerSecond: rate,
            burst: burst ?? max(1, rate),
            now: Timestamp.format(WallClock.milliseconds())
        )
        AccessControl.writeMarker(settings.authMarkerFile)
        print(
            "added key '\(name)' with scopes \(parsed.map(\.rawValue).joined(separator: ",")) to \(settings.keysFile)"
        )
        print("store it now; it is not kept and cannot be shown again:")
        print(key)
    }
}

struct KeysList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the keys (never the keys themselves)."
    )

    @OptionGroup var options: SettingsOptions

    func run() throws {
        let settings = try options.load()
        for key in try APIKeyStore(path: settings.keysFile).load() {
            let limit = key.ratePerSecond > 0 ? "\(key.ratePerSecond)/s burst \(key.burst)" : "unlimited"
            print(
                "\(key.name)\t\(key.scopes.map(\.rawValue).joined(separator: ","))\t\(limit)\tcreated \(key.createdAt)"
            )
        }
    }
}

struct KeysRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a key by name.")

    @Argument var name: String

    @OptionGroup var options: SettingsOptions

    func run() throws {
        let settings = try options.load()
        let store = APIKeyStore(path: settings.keysFile)
        try store.remove(name: name)
        print("removed key '\(name)'")
        if try store.load().isEmpty && settings.authMode != .off {
            print(
                "that was the last key: a running server now answers 503 on every protected route until a key is "
                    + "added (authentication fails closed; auth.mode=off turns it off on purpose)"
            )
        }
    }
}
