extension LinearProgram {
    /// The program in free MPS, the format every LP/MIP solver reads (HiGHS, CBC, Gurobi): a
    /// plan can be checked, or solved again, elsewhere. MPS minimises, so the objective is
    /// written negated: the file's optimum is minus this program's. Columns are `c<j>` and rows
    /// `r<i>`, in the program's order.
    package func mps(name: String = "cartwise") -> String {
        var out = "NAME " + name + "\nROWS\n N obj\n"
        for i in 0..<rowCount {
            let (lower, upper) = (rowLower[i], rowUpper[i])
            let type = lower == upper ? "E" : upper.isFinite ? "L" : lower.isFinite ? "G" : "N"
            out += " \(type) r\(i)\n"
        }
        out += "COLUMNS\n"
        var inIntegerBlock = false
        for j in 0..<columnCount {
            if isInteger(j) != inIntegerBlock {
                inIntegerBlock.toggle()
                out += "    MARKER 'MARKER' '\(inIntegerBlock ? "INTORG" : "INTEND")'\n"
            }
            if objective[j] != 0 { out += "    c\(j) obj \(Self.number(-objective[j]))\n" }
            for entry in Int(columnStarts[j])..<Int(columnStarts[j + 1]) {
                out += "    c\(j) r\(rowIndices[entry]) \(Self.number(coefficients[entry]))\n"
            }
            if objective[j] == 0 && columnStarts[j] == columnStarts[j + 1] { out += "    c\(j) obj 0\n" }
        }
        if inIntegerBlock { out += "    MARKER 'MARKER' 'INTEND'\n" }
        out += "RHS\n"
        for i in 0..<rowCount {
            let (lower, upper) = (rowLower[i], rowUpper[i])
            let rhs = upper.isFinite ? upper : lower.isFinite ? lower : 0
            if rhs != 0 { out += "    rhs r\(i) \(Self.number(rhs))\n" }
        }
        var ranges = ""
        for i in 0..<rowCount where rowLower[i].isFinite && rowUpper[i].isFinite && rowLower[i] != rowUpper[i] {
            ranges += "    rng r\(i) \(Self.number(rowUpper[i] - rowLower[i]))\n"
        }
        if !ranges.isEmpty { out += "RANGES\n" + ranges }
        out += "BOUNDS\n"
        for j in 0..<columnCount {
            let (lower, upper) = (columnLower[j], columnUpper[j])
            if !lower.isFinite && !upper.isFinite {
                out += " FR bnd c\(j)\n"
                continue
            }
            if !lower.isFinite {
                out += " MI bnd c\(j)\n"
            } else if lower != 0 || isInteger(j) {
                // Integer columns get an explicit lower bound: some readers give a marked
                // column without bounds the range [0, 1].
                out += " LO bnd c\(j) \(Self.number(lower))\n"
            }
            if upper.isFinite {
                out += " UP bnd c\(j) \(Self.number(upper))\n"
            } else if isInteger(j) {
                out += " PL bnd c\(j)\n"
            }
        }
        out += "ENDATA\n"
        return out
    }

    /// Round-trip precision: 17 significant digits.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
