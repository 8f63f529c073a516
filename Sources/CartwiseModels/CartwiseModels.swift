/// Pure model math for Cartwise: no Foundation, no I/O, no clocks, no globals.
///
/// The models arrive with their issues (ALS, CTR, forecasting, inventory, fraud); this file
/// marks the module and its rules so that `HTTPCore` and `CartwiseModels` stay siblings.
package enum CartwiseModels {
    /// The module's name, used by the layering test.
    package static let name = "CartwiseModels"
}
