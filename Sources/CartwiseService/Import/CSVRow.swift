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
