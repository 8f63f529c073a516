/// Which arm a customer is in: a seeded hash of (campaign, customer), so the split is stable,
/// reproducible anywhere and needs no stored table.
///
/// FNV-1a over the campaign's and the customer's UTF-8 bytes (a zero byte between, so "ab"+"c"
/// and "a"+"bc" differ), mixed with the seed by SplitMix64's finaliser, whose output bits are
/// uniform enough that the top 53 make a uniform number in [0, 1).
package enum CampaignAssignment {
    /// A number in [0, 1) fixed by the campaign, the customer and the seed.
    package static func unit(campaign: String, customer: String, seed: UInt64) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in campaign.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        hash = (hash ^ 0) &* 0x0000_0100_0000_01b3
        for byte in customer.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        var z = hash ^ (seed &* 0x9E37_79B9_7F4A_7C15)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) * 0x1.0p-53
    }

    /// Whether the customer is held out as control.
    /// - Parameters:
    ///   - campaign: the campaign's id.
    ///   - customer: the customer's id.
    ///   - controlShare: the share held out, in [0, 1).
    ///   - seed: the campaign's seed.
    /// - Returns: true for the control group.
    package static func isControl(campaign: String, customer: String, controlShare: Double, seed: UInt64) -> Bool {
        unit(campaign: campaign, customer: customer, seed: seed) < controlShare
    }
}
