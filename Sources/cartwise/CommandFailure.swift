/// A runtime failure of a command (bad input file, locked data directory): printed as
/// `Error: ...` without the usage text, which is for mistakes in the command line itself.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
