import CartwiseService
import Foundation
import HTTPCore
import Logging
import Testing

/// TLS with real clients: a test CA and server certificate made by the `openssl` tool, then
/// `curl --cacert` and `openssl s_client` against the running service.
@Suite(.serialized) struct TLSTests {
    @discardableResult
    private func run(
        _ arguments: [String],
        in directory: String,
        input: String = ""
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        let stdin = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func makeCertificate(_ name: String, in directory: String) throws {
        try run(
            [
                "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr",
                "-subj", "/CN=localhost",
            ],
            in: directory
        )
        try run(
            [
                "openssl", "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "\(name).pem", "-days", "2", "-extfile", "ext.cnf",
            ],
            in: directory
        )
    }

    @Test func curlAndOpenSSLSpeakTLS12And13WithALPNAndAReloadKeepsServing() throws {
        let directory = temporaryDirectory()
        try FileSystem.makeDirectory(directory)
        try run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=Cartwise Test CA",
            ],
            in: directory
        )
        try FileSystem.writeNew(directory + "/ext.cnf", Array("subjectAltName=DNS:localhost,IP:127.0.0.1\n".utf8))
        try makeCertificate("server", in: directory)
        let configuration = try ConfigurationLoader(
            flags: [
                ("server.port", "0"), ("server.threads", "1"), ("data_dir", directory + "/data"),
                ("trainer.min_new_events", "1000000"), ("server.tls.cert", directory + "/server.pem"),
                ("server.tls.key", directory + "/server.key"),
            ]
        ).load()
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let application = try Application.start(configuration: configuration, logger: logger)
        defer { application.shutdown() }
        let port = application.server.port
        let url = "https://localhost:\(port)"

        let health = try run(["curl", "-sS", "-i", "--cacert", "ca.pem", url + "/healthz"], in: directory)
        #expect(health.status == 0 && health.output.contains(#""status":"ok""#), "\(health.output)")
        #expect(health.output.lowercased().contains("strict-transport-security: max-age=31536000"))
        // A 300 KB body arrives in many TLS records.
        let events = (0..<4000).map { #"{"user":"u\#($0)","item":"i\#($0 % 40)","type":"view"}"# }
        let body = #"{"events":[\#(events.joined(separator: ","))]}"#
        try FileSystem.writeNew(directory + "/events.json", Array(body.utf8))
        let posted = try run(
            [
                "curl", "-sS", "--cacert", "ca.pem", "-H", "Content-Type: application/json",
                "--data-binary", "@events.json", url + "/events",
            ],
            in: directory
        )
        #expect(posted.output.contains(#""accepted":4000"#), "\(posted.output)")

        let modern = try run(
            [
                "openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-alpn", "http/1.1",
                "-CAfile", "ca.pem", "-servername", "localhost",
            ],
            in: directory
        )
        #expect(modern.output.contains("ALPN protocol: http/1.1"), "\(modern.output)")
        #expect(modern.output.contains("TLSv1.3"))
        let twelve = try run(
            ["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-tls1_2", "-CAfile", "ca.pem"],
            in: directory
        )
        #expect(twelve.output.contains("Protocol  : TLSv1.2") && twelve.output.contains("ECDHE"), "\(twelve.output)")
        let old = try run(["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-tls1_1"], in: directory)
        #expect(
            old.output.contains("alert protocol version") && old.output.contains("Cipher is (NONE)"),
            "\(old.output)"
        )
        // Plain HTTP on the TLS port is refused, and TLS clients are still served afterwards.
        let plain = try run(["curl", "-sS", "--max-time", "5", "http://127.0.0.1:\(port)/healthz"], in: directory)
        #expect(!plain.output.contains(#""status":"ok""#))

        let before = try run(["openssl", "x509", "-in", "server.pem", "-noout", "-serial"], in: directory).output
        try makeCertificate("renewed", in: directory)
        try FileSystem.rename(directory + "/renewed.pem", to: directory + "/server.pem")
        try FileSystem.rename(directory + "/renewed.key", to: directory + "/server.key")
        try application.reloadTLS()
        let served = try run(["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-showcerts"], in: directory)
            .output
        let after = try run(["openssl", "x509", "-in", "server.pem", "-noout", "-serial"], in: directory).output
        #expect(before != after)
        let certificate = served.components(separatedBy: "-----BEGIN CERTIFICATE-----").dropFirst().first ?? ""
        try FileSystem.writeNew(
            directory + "/served.pem",
            Array(
                ("-----BEGIN CERTIFICATE-----" + certificate.components(separatedBy: "-----END CERTIFICATE-----")[0]
                    + "-----END CERTIFICATE-----\n").utf8
            )
        )
        let servedSerial = try run(["openssl", "x509", "-in", "served.pem", "-noout", "-serial"], in: directory).output
        #expect(servedSerial == after, "\(servedSerial) vs \(after)")
        let again = try run(["curl", "-sS", "--cacert", "ca.pem", url + "/healthz"], in: directory)
        #expect(again.status == 0, "\(again.output)")
    }
}
