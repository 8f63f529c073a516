package import CartwiseModels

/// What the click model needs to know (the `ctr.*` settings).
package struct CTRSettings: Sendable {
    package var bits = 22
    package var crosses: [CTRFeatures.Cross] = [
        .init("user", "category"), .init("item", "position"), .init("item", "device"),
    ]
    package var parameters = FTRLProximal.Parameters(alpha: 0.1, beta: 1, l1: 0.1, l2: 1)
    /// Milliseconds after which an unlabelled impression is learned as a negative.
    package var labelWindow: Int64 = 1_800_000
    package var publishInterval: Int64 = 1000

    package init() {}
}
