/// Corruption found in a log segment: where, what, and how much intact data lies beyond it.
///
/// The counts are there so that whoever reads the error can judge what a repair would keep
/// before running it.
package struct LogDamage: Sendable, Equatable, CustomStringConvertible {
    package var path: String
    package var offset: Int
    package var reason: String
    package var fileBytes: Int
    /// Where the first intact record after the damage starts, if any does.
    package var resumesAt: Int?
    package var intactRecordsAfter: Int
    package var intactBytesAfter: Int

    package var description: String {
        var text = "\(path) is damaged at byte \(offset) of \(fileBytes) (\(reason)); "
        if let resumesAt {
            text += "\(intactRecordsAfter) intact records (\(intactBytesAfter) bytes) follow from byte \(resumesAt)"
        } else {
            text += "no intact record follows it"
        }
        return text
    }
}
