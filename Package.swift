// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "cartwise",
    products: [
        .executable(name: "cartwise", targets: ["cartwise"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-numerics.git", from: "1.1.1"),
    ],
    targets: [
        // System libraries: headers and link flags come from pkg-config; the apt provider tells
        // `swift build` which Debian package to suggest when they are missing.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Linux calls Swift's Glibc module leaves out (epoll, eventfd, prctl); headers only.
        .systemLibrary(name: "CLinux"),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // COIN-OR CBC and CLP (EPL-2.0): the campaign budget plan's MIP and its LP relaxation.
        .systemLibrary(
            name: "CCoinOR",
            pkgConfig: "cbc",
            providers: [.apt(["coinor-libcbc-dev"])]
        ),
        // Sockets, epoll, HTTP/1.1, TLS (OpenSSL) and gzip. Knows nothing of models.
        .target(
            name: "HTTPCore",
            dependencies: [
                "CLinux",
                "CZlib",
                "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Pure math: no Foundation, no I/O, no clocks. RealModule gives exp/log/pow on Double.
        .target(
            name: "CartwiseModels",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        // Linear and mixed-integer programs, solved by COIN-OR; knows nothing of campaigns.
        .target(name: "CartwiseSolver", dependencies: ["CCoinOR"]),
        // Routes, configuration, metrics and wiring: the only target that sees both siblings.
        .target(
            name: "CartwiseService",
            dependencies: [
                "HTTPCore",
                "CartwiseModels",
                "CartwiseSolver",
                "CLinux",
                "CZlib",
                "COpenSSL",
                .product(name: "RealModule", package: "swift-numerics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "cartwise",
            dependencies: [
                "CartwiseService",
                "HTTPCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore", "CZlib"]),
        .testTarget(name: "CartwiseModelsTests", dependencies: ["CartwiseModels"]),
        .testTarget(name: "CartwiseSolverTests", dependencies: ["CartwiseSolver"]),
        .testTarget(
            name: "CartwiseServiceTests",
            dependencies: [
                "CartwiseService",
                "CartwiseSolver",
                "HTTPCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

// libFuzzer targets (HTTP parser, chunked decoder, body decoders). Only declared when fuzzing, because it has no `main` of its
// own (libFuzzer supplies it): `CARTWISE_FUZZ=1 swift build --scratch-path .build-fuzz
// -Xswiftc -sanitize=fuzzer,address --product HTTPParserFuzzer` (see README, "Fuzzing").
if Context.environment["CARTWISE_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "HTTPParserFuzzer",
            dependencies: ["HTTPCore"],
            path: "Fuzz/HTTPParserFuzzer",
            // No Swift `main`: libFuzzer's must be the entry point.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    )
    package.targets.append(
        .executableTarget(
            name: "ChunkedDecoderFuzzer",
            dependencies: ["HTTPCore"],
            path: "Fuzz/ChunkedDecoderFuzzer",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    )
    // Every request-body and log-record decoder of the service.
    package.targets.append(
        .executableTarget(
            name: "BodyDecoderFuzzer",
            dependencies: ["CartwiseService"],
            path: "Fuzz/BodyDecoderFuzzer",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    )
}

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0335-existential-any.md
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0409-access-level-on-imports.md
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0461-async-function-isolation.md
    settings.append(.enableUpcomingFeature("NonisolatedNonsendingByDefault"))
    target.swiftSettings = settings
}
