import HTTPCore
import Testing

/// The `Character`-based splitter the byte-level one replaced, kept as the oracle: it read the
/// RFC's grammar plainly, and the two must agree on every target, valid or not.
private func referenceSplit(_ target: String) -> (rawPath: String, path: String, query: [String])? {
    var rest = Substring(target)
    if rest == "*" { return ("*", "*", []) }
    if !rest.hasPrefix("/") {
        let lower = rest.prefix(8).lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        rest = rest.drop { $0 != ":" }.dropFirst(3)
        rest = rest.drop { $0 != "/" && $0 != "?" }
        if rest.isEmpty || rest.first == "?" { rest = "/" + rest }
    }
    let queryStart = rest.firstIndex(of: "?")
    let rawPath = queryStart.map { rest[..<$0] } ?? rest
    guard let path = referenceDecode(rawPath, plusAsSpace: false) else { return nil }
    var query: [String] = []
    if let queryStart {
        for pair in rest[rest.index(after: queryStart)...].split(separator: "&", omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: "=")
            let rawName = equals.map { pair[..<$0] } ?? pair
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? ""
            guard let name = referenceDecode(rawName, plusAsSpace: true),
                let value = referenceDecode(rawValue, plusAsSpace: true)
            else { return nil }
            query.append(name + "=" + value)
        }
    }
    return (String(rawPath), path, query)
}

private func referenceDecode(_ text: Substring, plusAsSpace: Bool) -> String? {
    var bytes: [UInt8] = []
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
        if byte == UInt8(ascii: "%") {
            guard let high = iterator.next(), let low = iterator.next(),
                Character(Unicode.Scalar(high)).isHexDigit, Character(Unicode.Scalar(low)).isHexDigit,
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        } else {
            bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
        }
    }
    return String(validating: bytes, as: UTF8.self)
}

@Suite struct RequestTargetTests {
    static let fixed = [
        "/", "*", "/a/b%2Fc?x=1&y=%20z+w&&=&k", "/forecast?item=%C3%B7%F0%B6%A1%A9&horizon=18&levels=80,95",
        "HTTP://Host:80", "https://host?q=1", "http://h/p?%", "/p?a=%4", "/p?a=%zz", "/%FF", "/p?%C3%28=1",
        "ftp://x/", "x", "/é?ü=ö&a==b=c", "/p?a&a=&=a", "Http://H/Ü%41?+=+",
    ]

    @Test func agreesWithTheCharacterSplitterOnEveryTarget() throws {
        var generator = SplitMix(seed: 7)
        let alphabet =
            Array("/?&=%+*:hHtTpPsS09aAfFzé日 ".map { String($0) }) + ["%2", "%4", "%C3", "%A9", "http://", "https://"]
        var targets = Self.fixed
        for _ in 0..<3000 {
            let count = Int(generator.next() % 12)
            var target = generator.next() % 4 == 0 ? "" : "/"
            for _ in 0..<count { target += alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            targets.append(target)
        }
        for target in targets {
            let expected = referenceSplit(target)
            let request = try? HTTPRequest(method: .get, target: target)
            #expect((request == nil) == (expected == nil), "\(target)")
            guard let request, let expected else { continue }
            #expect(request.rawPath == expected.rawPath, "\(target)")
            #expect(request.path == expected.path, "\(target)")
            #expect(request.query.map { $0.name + "=" + $0.value } == expected.query, "\(target)")
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failing target can be reproduced.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
