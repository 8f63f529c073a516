import CartwiseModels
import RealModule
import Testing

@Suite struct FTRLProximalTests {
    /// The first update from zero state has a closed form (McMahan et al. 2013, Algorithm 1):
    /// p = 0.5, g = p − y, σ = |g|/α, z = g, n = g², and then w = −(z − sgn(z)λ₁)/((β+|g|)/α + λ₂).
    @Test func theFirstStepMatchesTheClosedForm() {
        let parameters = FTRLProximal.Parameters(alpha: 0.5, beta: 1, l1: 0.1, l2: 2)
        var model = FTRLProximal(size: 16, parameters: parameters)
        let predicted = model.update([3, 7], clicked: true)
        #expect(abs(predicted - 0.5) < 1e-12)
        let g = -0.5
        let expected = -(g + 0.1) / ((1 + 0.5) / 0.5 + 2)
        let weights = model.weights()
        #expect(abs(Double(weights[3]) - expected) < 1e-6)
        #expect(abs(Double(weights[7]) - expected) < 1e-6)
        #expect(weights.enumerated().allSatisfy { $0.offset == 3 || $0.offset == 7 || $0.element == 0 })
        let margin = 2 * expected
        #expect(abs(model.predict([3, 7]) - 1 / (1 + Double.exp(-margin))) < 1e-6)
    }

    /// With L1 above every gradient, no weight leaves zero: the model stays at p = 0.5.
    @Test func strongL1KeepsWeightsAtZero() {
        var model = FTRLProximal(size: 8, parameters: .init(alpha: 0.1, beta: 1, l1: 100, l2: 0))
        for step in 0..<50 { model.update([1, 2], clicked: step % 3 == 0) }
        #expect(model.nonZeroWeights == 0)
        #expect(model.predict([1, 2]) == 0.5)
    }

    /// A feature that predicts the label is learned, and the constant rate converges to the base rate.
    @Test func itLearnsASeparableSignalAndTheBaseRate() {
        var model = FTRLProximal(size: 64, parameters: .init(alpha: 0.3, beta: 1, l1: 0, l2: 0.1))
        var random = SeededRandom(seed: 11)
        for _ in 0..<20_000 {
            let good = random.unit() < 0.5
            // The "good" feature clicks 80 % of the time, the other 20 %.
            model.update([0, good ? 5 : 6], clicked: random.unit() < (good ? 0.8 : 0.2))
        }
        #expect(abs(model.predict([0, 5]) - 0.8) < 0.05)
        #expect(abs(model.predict([0, 6]) - 0.2) < 0.05)
    }
}

@Suite struct CTRFeaturesTests {
    @Test func numbersHashLikeTheirBinsAndBinsFollowTheCriteoRule() {
        #expect(CTRFeatures.Tokens.bin(0) == "0")
        #expect(CTRFeatures.Tokens.bin(2) == "2")
        // ⌊ln(100)²⌋ = ⌊21.2⌋
        #expect(CTRFeatures.Tokens.bin(100) == "b21")
        #expect(CTRFeatures.Tokens.bin(-3) == "-b1")
        for value in [0.0, 1.5, 2, 3, 100, 123_456, -7, -1] {
            var tokens = CTRFeatures.Tokens()
            tokens.add("I1", number: value)
            #expect(tokens.hashes == [FeatureHasher.token("I1", CTRFeatures.Tokens.bin(value))], "\(value)")
        }
    }

    /// Digits hashed without formatting a string are the formatted string's, at every length.
    @Test func decimalDigitsHashAsTheirString() {
        var values = [0, 1, 9, 10, 99, 100, 101, 4_095, 1_000_000, Int.max]
        var power = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 7]
        }
        for value in values {
            #expect(
                FeatureHasher.extend(17, decimal: value) == FeatureHasher.extend(17, String(value).utf8),
                "\(value)"
            )
        }
    }

    /// Many one-token fields handed over at once are the same fields added one by one.
    @Test func fieldsAddedTogetherEqualFieldsAddedOneByOne() {
        let prefixes: [UInt64] = [3, 5, 7]
        let hashes: [UInt64] = [11, 13, 17]
        var one = CTRFeatures.Tokens()
        one.add(prefix: 1, token: 2)
        for (prefix, token) in zip(prefixes, hashes) { one.add(prefix: prefix, token: token) }
        var together = CTRFeatures.Tokens()
        together.add(prefix: 1, token: 2)
        prefixes.withUnsafeBufferPointer { p in
            hashes.withUnsafeBufferPointer { h in together.add(prefixes: p, tokens: h) }
        }
        #expect(together == one)
        #expect(together.fields.map(\.end) == [1, 2, 3, 4])
    }

    @Test func multiValuedStringsSplitAndCrossesPairEveryToken() {
        let features = CTRFeatures(hasher: FeatureHasher(bits: 20), crosses: [.init("user", "genres")])
        var shared = CTRFeatures.Tokens()
        shared.add("user", value: "u1")
        var own = CTRFeatures.Tokens()
        own.add("genres", value: "Action|Comedy", split: true)
        let coordinates = features.coordinates(shared: shared, own: own)
        // bias + user + 2 genres + 2 crosses
        #expect(coordinates.count == 6)
        let hasher = features.hasher
        let user = FeatureHasher.token("user", "u1")
        let action = FeatureHasher.token("genres", "Action")
        #expect(coordinates.contains(hasher.index(FeatureHasher.cross(user, action))))
        #expect(coordinates.first == hasher.bias)
        #expect(coordinates.allSatisfy { Int($0) < hasher.size })
        // A field of the item shadows the request's field of the same name.
        var requestGenres = CTRFeatures.Tokens()
        requestGenres.add("genres", value: "Drama")
        let shadowed = features.coordinates(shared: requestGenres, own: own)
        #expect(!shadowed.contains(hasher.index(FeatureHasher.token("genres", "Drama"))))
    }

    /// Ranking reduces the request's part once; it must give the same coordinates per item.
    @Test func aPreparedSharedPartGivesTheSameCoordinates() {
        let features = CTRFeatures(
            hasher: FeatureHasher(bits: 18),
            crosses: [
                .init("user", "category"), .init("item", "device"), .init("user", "device"), .init("item", "missing"),
            ]
        )
        var shared = CTRFeatures.Tokens()
        shared.add("user", value: "u7")
        shared.add("device", value: "ios")
        shared.add("tags", value: "a|b|c", split: true)
        let prepared = features.prepare(shared: shared)
        let weights = (0..<features.hasher.size).map { Float($0 % 97) / 97 - 0.5 }
        var out: [UInt32] = []
        for own in [
            ("i1", ["c1", "c2"], nil), ("i2", [], nil), ("i3", ["c3"], "android"),
        ] as [(String, [String], String?)] {
            var tokens = CTRFeatures.Tokens()
            tokens.add("item", value: own.0)
            if !own.1.isEmpty {
                tokens.add(
                    prefix: FeatureHasher.prefix("category"),
                    tokens: own.1.map { FeatureHasher.token("category", $0) }
                )
            }
            // The third item's own device shadows the request's.
            if let device = own.2 { tokens.add("device", value: device) }
            features.coordinates(prepared: prepared, own: tokens, into: &out)
            let full = features.coordinates(shared: shared, own: tokens).sorted()
            #expect(out.sorted() == full, "\(own.0)")
            // Without the base, base + own part is the whole (or the whole comes back when shadowed).
            let withBase = features.coordinates(prepared: prepared, own: tokens, into: &out, base: false)
            #expect((withBase ? out : prepared.base + out).sorted() == full, "\(own.0)")
            #expect(withBase == (own.2 != nil))
            // Summed while hashing: the own part's weights, in the same order (so exactly), or
            // nil when shadowed.
            var layout = CTRFeatures.OwnLayout()
            let margin = weights.withUnsafeBufferPointer {
                features.ownMargin(prepared: prepared, own: tokens, weights: $0, layout: &layout)
            }
            if withBase {
                #expect(margin == nil)
            } else {
                #expect(margin == out.reduce(Float(0)) { $0 + weights[Int($1)] }, "\(own.0)")
            }
        }
    }

    @Test func calibrationDecilesSortByPrediction() {
        var report = CalibrationReport(window: 1000)
        for index in 0..<1000 { report.record(predicted: Double(index) / 1000, clicked: index % 10 < index / 100) }
        let deciles = report.deciles
        #expect(deciles.count == 10)
        #expect(deciles.allSatisfy { $0.count == 100 })
        for (position, decile) in deciles.enumerated() {
            #expect(abs(decile.observedRate - Double(position) / 10) < 1e-9)
            #expect(abs(decile.meanPredicted - (Double(position) / 10 + 0.0495)) < 1e-6)
        }
        #expect(report.examples == 1000)
    }
}
