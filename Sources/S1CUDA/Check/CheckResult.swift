/// One comparison of the GPU engine against a reference: the measured error, the bound it must stay under, and
/// whether it did. Errors are ‖gpu − ref‖ / ‖ref‖ (relative, whole tensor) unless `metric` says otherwise.
public struct CheckResult: Codable, Sendable {
    public let name: String
    public let metric: String
    public let value: Double
    public let tolerance: Double
    public let passed: Bool
    public let detail: String?

    public init(name: String, metric: String = "relative error", value: Double, tolerance: Double, detail: String? = nil) {
        self.name = name
        self.metric = metric
        self.value = value
        self.tolerance = tolerance
        passed = value.isFinite && value <= tolerance
        self.detail = detail
    }

    /// A check that must hold exactly (bitwise equality, identical tokens).
    public static func exact(_ name: String, equal: Bool, detail: String? = nil) -> CheckResult {
        CheckResult(name: name, metric: "mismatch (0 = bitwise equal)", value: equal ? 0 : 1, tolerance: 0, detail: detail)
    }

    /// A check that could not run (the error is the detail).
    public static func failed(_ name: String, error: Error) -> CheckResult {
        CheckResult(name: name, metric: "error", value: .infinity, tolerance: 0, detail: "\(error)")
    }
}

/// ‖a − b‖ / max(‖b‖, tiny), accumulated in Double.
public func relativeError(_ a: [Float], _ b: [Float]) -> Double {
    guard a.count == b.count else { return .infinity }
    var difference = 0.0, norm = 0.0
    for (x, y) in zip(a, b) {
        difference += Double(x - y) * Double(x - y)
        norm += Double(y) * Double(y)
    }
    return (difference / max(norm, 1e-30)).squareRoot()
}
