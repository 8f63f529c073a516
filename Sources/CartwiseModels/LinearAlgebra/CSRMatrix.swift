/// A sparse matrix in compressed sparse row form: for row r, columns
/// `indices[offsets[r]..<offsets[r+1]]` with `values` alongside.
package struct CSRMatrix: Sendable, Equatable {
    package let rows: Int
    package let columns: Int
    package let offsets: [Int]
    package let indices: [Int32]
    package let values: [Float]

    package init(rows: Int, columns: Int, offsets: [Int], indices: [Int32], values: [Float]) {
        precondition(offsets.count == rows + 1 && indices.count == values.count, "inconsistent CSR arrays")
        self.rows = rows
        self.columns = columns
        self.offsets = offsets
        self.indices = indices
        self.values = values
    }

    /// Builds from (row, column, value) triples; duplicates are summed, columns sorted per row.
    package init(rows: Int, columns: Int, triples: [(row: Int32, column: Int32, value: Float)]) {
        var perRow = [[(Int32, Float)]](repeating: [], count: rows)
        for triple in triples { perRow[Int(triple.row)].append((triple.column, triple.value)) }
        var offsets = [0]
        var indices: [Int32] = []
        var values: [Float] = []
        for row in perRow {
            let sorted = row.sorted { $0.0 < $1.0 }
            var last: Int32 = -1
            for (column, value) in sorted {
                if column == last {
                    values[values.count - 1] += value
                } else {
                    indices.append(column)
                    values.append(value)
                    last = column
                }
            }
            offsets.append(indices.count)
        }
        self.init(rows: rows, columns: columns, offsets: offsets, indices: indices, values: values)
    }

    package var nonZeros: Int { indices.count }

    /// The transpose (item x user from user x item), in O(nonZeros).
    package func transposed() -> CSRMatrix {
        var counts = [Int](repeating: 0, count: columns + 1)
        for column in indices { counts[Int(column) + 1] += 1 }
        for index in 0..<columns { counts[index + 1] += counts[index] }
        var next = counts
        var newIndices = [Int32](repeating: 0, count: indices.count)
        var newValues = [Float](repeating: 0, count: values.count)
        for row in 0..<rows {
            for position in offsets[row]..<offsets[row + 1] {
                let column = Int(indices[position])
                newIndices[next[column]] = Int32(row)
                newValues[next[column]] = values[position]
                next[column] += 1
            }
        }
        return CSRMatrix(rows: columns, columns: rows, offsets: counts, indices: newIndices, values: newValues)
    }
}
