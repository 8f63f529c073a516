import CartwiseModels
import Testing

@Suite struct CartwiseModelsTests {
    /// The models target must stay importable on its own, without Foundation or HTTPCore.
    @Test func moduleBuildsStandalone() {
        #expect(CartwiseModels.name == "CartwiseModels")
    }
}
