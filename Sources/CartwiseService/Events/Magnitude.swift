/// The largest quantities and amounts the service takes in. Unbounded numbers let two
/// purchases of 1e308 on one day sum to infinity, and a forecast of infinity minus infinity
/// is NaN, which an answer can only print as null; these bounds are far above any real order
/// and keep every sum, square and product the models form finite.
package enum Magnitude {
    /// Units in one purchase event or order line.
    package static let maxQuantity = 1e9
    /// A price or an order amount, in any currency.
    package static let maxMoney = 1e12

    /// A field's problem when it is above ``maxQuantity``.
    package static let quantityProblem = "must be at most 1e9"
    /// A field's problem when it is above ``maxMoney``.
    package static let moneyProblem = "must be at most 1e12"
}
