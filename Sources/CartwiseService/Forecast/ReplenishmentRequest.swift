import HTTPCore

/// A `POST /plans/replenishment` body: what is on hand and on order per SKU, what it costs and
/// how it is bought, and the constraints of the purchase (docs/forecast.md, "Replenishment
/// plan"). Every field but `skus[].item` has a default.
struct ReplenishmentRequest: Sendable {
    static let maxSKUs = 50_000

    struct SKU: Sendable {
        var item: String
        var onHand = 0.0
        var onOrder = 0.0
        var unitCost = 1.0
        var leadTime = 1
        var casePack = 1
        var minOrder = 0.0
        var warehouse = "default"
        var volume = 1.0
        var supplier: String?
        /// Per unit per period; nil: a quarter of the unit cost a year.
        var holdingCost: Double?
        /// Per unit short per period; nil: what makes `service_level` the newsvendor's
        /// critical ratio, holding × service level / (1 − service level).
        var shortageCost: Double?
    }

    var skus: [SKU]
    /// Purchasing budget per order period (one value for every period); nil for none.
    var budget: [Double]?
    var serviceLevel = 0.95
    /// Warehouse -> capacity in volume (units when volumes are left at 1); `*` for every
    /// warehouse without its own.
    var capacity: [String: Double] = [:]
    /// Supplier -> the least a period's order from it may cost when it is not nothing.
    var supplierMinimums: [String: Double] = [:]
    /// Periods planned (nil: the frequency's default forecast horizon).
    var horizon: Int?
    /// Answer the LP relaxation (fractional cases, no minimums enforced as all-or-nothing).
    var relaxation = false

    init(body: [UInt8]) throws(APIError) {
        let root = try JSONFields(
            JSONTree.parse(body),
            known: ["skus", "budget", "service_level", "capacity", "supplier_minimums", "horizon", "relaxation"]
        )
        guard let list = try root.array("skus", required: true, maxCount: Self.maxSKUs), !list.isEmpty else {
            throw .invalidField(field: "skus", reason: "must hold at least one SKU")
        }
        var seen: [String: Int] = [:]
        skus = []
        skus.reserveCapacity(list.count)
        for (index, element) in list.enumerated() {
            let fields = try JSONFields(
                element,
                path: "skus[\(index)]",
                known: [
                    "item", "on_hand", "on_order", "unit_cost", "lead_time", "case_pack", "min_order", "warehouse",
                    "volume", "supplier", "holding_cost", "shortage_cost",
                ]
            )
            var sku = SKU(item: try fields.string("item", required: true)!)
            sku.onHand = try fields.number("on_hand", in: 0...1e12) ?? 0
            sku.onOrder = try fields.number("on_order", in: 0...1e12) ?? 0
            sku.unitCost = try fields.number("unit_cost", in: 0...1e9) ?? 1
            sku.leadTime = try fields.integer("lead_time", in: 0...365) ?? 1
            sku.casePack = try fields.integer("case_pack", in: 1...1_000_000) ?? 1
            sku.minOrder = try fields.number("min_order", in: 0...1e12) ?? 0
            sku.warehouse = try fields.string("warehouse") ?? "default"
            sku.volume = try fields.number("volume", in: 1e-9...1e9) ?? 1
            sku.supplier = try fields.string("supplier")
            sku.holdingCost = try fields.number("holding_cost", in: 0...1e9)
            sku.shortageCost = try fields.number("shortage_cost", in: 0...1e12)
            // One row per item and warehouse: a second would split the same stock and demand.
            let key = sku.item + "\u{0}" + sku.warehouse
            if let first = seen[key] {
                throw .invalidField(
                    field: "skus[\(index)].item",
                    reason: "repeats skus[\(first)] ('\(sku.item)' in warehouse '\(sku.warehouse)'); list each once"
                )
            }
            seen[key] = index
            skus.append(sku)
        }
        if let value = root.raw("budget") {
            switch value {
            case .number: budget = [try root.number("budget", in: 0...1e15)!]
            case .array(let values):
                guard !values.isEmpty, values.count <= 366 else {
                    throw .invalidField(field: "budget", reason: "must be a number or 1 to 366 numbers, one per period")
                }
                budget = []
                for (index, value) in values.enumerated() {
                    guard case .number(let number) = value, number.isFinite, number >= 0, number <= 1e15 else {
                        throw .invalidField(field: "budget[\(index)]", reason: "must be a number from 0 to 1e15")
                    }
                    budget!.append(number)
                }
            default:
                throw .invalidField(field: "budget", reason: "must be a number or an array of numbers, one per period")
            }
        }
        serviceLevel = try root.number("service_level", in: 0.01...0.9999) ?? 0.95
        capacity = try Self.map(root, "capacity", in: 0...1e15, allowNumber: true)
        supplierMinimums = try Self.map(root, "supplier_minimums", in: 0...1e15, allowNumber: false)
        horizon = try root.integer("horizon", in: 1...366)
        if let value = root.raw("relaxation") {
            guard case .bool(let flag) = value else {
                throw .invalidField(field: "relaxation", reason: "must be true or false")
            }
            relaxation = flag
        }
    }

    /// `{"name": number}`; a bare number stands for `{"*": number}` where allowed.
    private static func map(
        _ root: JSONFields,
        _ key: String,
        in range: ClosedRange<Double>,
        allowNumber: Bool
    ) throws(APIError) -> [String: Double] {
        guard let value = root.raw(key) else { return [:] }
        switch value {
        case .number where allowNumber: return ["*": try root.number(key, in: range)!]
        case .object(let members):
            var result: [String: Double] = [:]
            for member in members {
                guard case .number(let number) = member.value, number.isFinite, range.contains(number),
                    !member.key.isEmpty
                else {
                    throw .invalidField(field: "\(key).\(member.key)", reason: "must be a number from 0 to 1e15")
                }
                result[member.key] = number
            }
            return result
        default:
            throw .invalidField(
                field: key,
                reason: allowNumber
                    ? "must be a number or an object of warehouse: number" : "must be an object of supplier: number"
            )
        }
    }
}
