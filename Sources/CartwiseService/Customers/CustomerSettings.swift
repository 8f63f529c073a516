/// What the customer model needs to know (the `customers.*` settings).
package struct CustomerSettings: Sendable {
    /// Milliseconds between retrainings while new purchases keep arriving.
    package var retrainInterval: Int64 = 600_000
    /// Segments; 0 chooses k by silhouette between ``minSegments`` and ``maxSegments``.
    package var segments = 0
    package var minSegments = 3
    package var maxSegments = 8
    /// k-means restarts, and the seed that makes them repeatable.
    package var restarts = 10
    package var seed: UInt64 = 0
    /// The horizon of `expected_purchases`, `expected_spend` and `clv` when a request names none.
    package var horizonDays = 365
    /// The monthly discount rate of `clv` when a request names none.
    package var monthlyDiscount = 0.01

    package init() {}
}
