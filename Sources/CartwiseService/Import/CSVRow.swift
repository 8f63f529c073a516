/// Splits one CSV line into fields (RFC 4180: quoted fields, `""` for a quote inside one).
package enum CSVRow {
    package static func split(_ line: UnsafeBufferPointer<UInt8>) -> [Substring] {
        var fields: [Substring] = []
        var current: [UInt8] = []
        var index = 0
        var quoted = false
        var fieldStart = true
        while index < line.count {
            let byte = line[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < line.count && line[index + 1] == UInt8(ascii: "\"") {
                        current.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(byte)
                }
            } else if byte == UInt8(ascii: ",") {
                fields.append(Substring(String(decoding: current, as: UTF8.self)))
                current.removeAll(keepingCapacity: true)
                fieldStart = true
                index += 1
                continue
            } else if byte == UInt8(ascii: "\"") && fieldStart {
                quoted = true
            } else {
                current.append(byte)
            }
            fieldStart = false
            index += 1
        }
        fields.append(Substring(String(decoding: current, as: UTF8.self)))
        return fields
    }
}

extension CSVRow {
    /// A line's fields as byte ranges, without copying: the import reads ids as strings and
    /// numbers straight from the bytes. Lines with quotes fall back to ``split(_:)``.
    package struct Fields {
        private let bytes: UnsafeBufferPointer<UInt8>
        private let ranges: [Range<Int>]
        private let quoted: [Substring]?

        init(bytes: UnsafeBufferPointer<UInt8>, ranges: [Range<Int>], quoted: [Substring]?) {
            self.bytes = bytes
            self.ranges = ranges
            self.quoted = quoted
        }

        private func trimmed(_ index: Int) -> Range<Int>? {
            guard index < ranges.count else { return nil }
            var range = ranges[index]
            while !range.isEmpty, bytes[range.lowerBound] == 0x20 { range = (range.lowerBound + 1)..<range.upperBound }
            while !range.isEmpty, bytes[range.upperBound - 1] == 0x20 {
                range = range.lowerBound..<(range.upperBound - 1)
            }
            return range
        }

        /// How many fields the line has.
        package var count: Int { quoted?.count ?? ranges.count }

        /// Whether field `index` exists and is not empty.
        package func isPresent(_ index: Int) -> Bool {
            if let quoted { return index < quoted.count && !quoted[index].isEmpty }
            return !(trimmed(index)?.isEmpty ?? true)
        }

        /// Field `index` as text, or nil when it is missing or empty.
        package func text(_ index: Int) -> String? {
            if let quoted {
                guard index < quoted.count else { return nil }
                let text = quoted[index].trimmingCharacters(in: " ")
                return text.isEmpty ? nil : text
            }
            guard let range = trimmed(index), !range.isEmpty else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }

        /// Field `index` as a number: digits with an optional sign and fraction are read directly,
        /// anything else goes through `Double(String)`.
        package func number(_ index: Int) -> Double? {
            if quoted != nil { return text(index).flatMap(Double.init) }
            guard let range = trimmed(index), !range.isEmpty else { return nil }
            var position = range.lowerBound
            var negative = false
            if bytes[position] == UInt8(ascii: "-") {
                negative = true
                position += 1
            }
            var integer: Int64 = 0
            var digits = 0
            while position < range.upperBound, bytes[position] >= 48, bytes[position] <= 57, digits < 17 {
                integer = integer * 10 + Int64(bytes[position] - 48)
                digits += 1
                position += 1
            }
            var value = Double(integer)
            if position < range.upperBound, bytes[position] == UInt8(ascii: "."), digits > 0 {
                position += 1
                var scale = 0.1
                var fractionDigits = 0
                while position < range.upperBound, bytes[position] >= 48, bytes[position] <= 57, fractionDigits < 15 {
                    value += Double(bytes[position] - 48) * scale
                    scale /= 10
                    fractionDigits += 1
                    position += 1
                }
            }
            guard digits > 0, position == range.upperBound else {
                return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
            }
            return negative ? -value : value
        }
    }

    /// The fields of `line`.
    package static func fields(_ line: UnsafeBufferPointer<UInt8>) -> Fields {
        if line.contains(UInt8(ascii: "\"")) {
            return Fields(bytes: line, ranges: [], quoted: split(line))
        }
        var ranges: [Range<Int>] = []
        var start = 0
        for index in 0..<line.count where line[index] == UInt8(ascii: ",") {
            ranges.append(start..<index)
            start = index + 1
        }
        ranges.append(start..<line.count)
        return Fields(bytes: line, ranges: ranges, quoted: nil)
    }
}
