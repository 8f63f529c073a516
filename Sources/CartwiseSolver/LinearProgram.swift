/// A linear or mixed-integer program to maximise, in compressed sparse columns: what COIN-OR's
/// `loadProblem` takes, so that a program of 300,000 columns is handed over without a copy.
///
/// maximise  objectiveᵀx  subject to  rowLower ≤ A x ≤ rowUpper,  columnLower ≤ x ≤ columnUpper,
/// and x integer where ``integer`` says so. Use `-Double.infinity` / `.infinity` for a side
/// without a bound.
package struct LinearProgram: Sendable, Equatable {
    /// Column j's entries are `rowIndices[columnStarts[j] ..< columnStarts[j + 1]]`.
    package var columnStarts: [Int32]
    package var rowIndices: [Int32]
    package var coefficients: [Double]
    package var objective: [Double]
    package var columnLower: [Double]
    package var columnUpper: [Double]
    package var rowLower: [Double]
    package var rowUpper: [Double]
    /// Every column integer (a MIP) or none (an LP), unless ``integerColumns`` says per column.
    package var integer: Bool
    /// Which columns are integer, for a MIP with continuous columns too (nil: ``integer`` for
    /// all). Ignored when ``integer`` is false: that is the program's LP relaxation.
    package var integerColumns: [Bool]?

    /// Whether column `j` must be integer in the MIP.
    package func isInteger(_ j: Int) -> Bool { integer && (integerColumns?[j] ?? true) }

    package var columnCount: Int { objective.count }
    package var rowCount: Int { rowLower.count }

    package init(rowLower: [Double], rowUpper: [Double], integer: Bool) {
        precondition(rowLower.count == rowUpper.count, "one lower and one upper bound per row")
        columnStarts = [0]
        rowIndices = []
        coefficients = []
        objective = []
        columnLower = []
        columnUpper = []
        self.rowLower = rowLower
        self.rowUpper = rowUpper
        self.integer = integer
    }

    /// Appends a column.
    /// - Parameters:
    ///   - objective: its coefficient in the objective.
    ///   - lower: its lower bound.
    ///   - upper: its upper bound.
    ///   - entries: its nonzero coefficients by row, each row once.
    package mutating func addColumn(
        objective: Double,
        lower: Double,
        upper: Double,
        entries: [(row: Int, value: Double)]
    ) {
        for entry in entries {
            precondition(entry.row >= 0 && entry.row < rowCount, "a row of the program")
            rowIndices.append(Int32(entry.row))
            coefficients.append(entry.value)
        }
        columnStarts.append(Int32(rowIndices.count))
        self.objective.append(objective)
        columnLower.append(lower)
        columnUpper.append(upper)
    }

    /// objectiveᵀx.
    package func objectiveValue(_ x: [Double]) -> Double {
        zip(objective, x).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The activity A x of every row.
    package func rowActivity(_ x: [Double]) -> [Double] {
        var activity = [Double](repeating: 0, count: rowCount)
        for column in 0..<columnCount where x[column] != 0 {
            for entry in Int(columnStarts[column])..<Int(columnStarts[column + 1]) {
                activity[Int(rowIndices[entry])] += coefficients[entry] * x[column]
            }
        }
        return activity
    }
}
