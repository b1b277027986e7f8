import S1Store

/// Expands one sweep of the spec into its points: each list of the method's block becomes one point per value.
enum SweepExpansion {
    struct Point {
        /// `max_thinking_tokens=64`, `ignore_end=2 extension=Wait`.
        let label: String
        /// `{"method": "forcing", "max_thinking_tokens": 64, ...}`: the sweep's block with one value per list.
        let method: CanonicalValue
    }

    /// Keys whose list values are swept (every other key is passed through as is).
    static let sweptKeys: [String: [String]] = [
        "forcing": ["max_thinking_tokens", "ignore_end", "extension"],
        "prompt_control": ["tokens", "steps", "class"],
        "rejection_sampling": ["max_thinking_tokens"],
        "majority": ["samples"],
    ]

    static func points(of sweep: CanonicalValue) -> [Point] {
        guard case .object(let fields) = sweep else { return [] }
        for (method, swept) in sweptKeys.sorted(by: { $0.key < $1.key }) {
            guard case .object(let block)? = fields[method] else { continue }
            var combinations: [[String: CanonicalValue]] = [["method": .string(method)]]
            var labels: [[String]] = [[]]
            for (key, value) in block.sorted(by: { $0.key < $1.key }) {
                if swept.contains(key), case .array(let values) = value, !values.isEmpty {
                    var nextCombinations: [[String: CanonicalValue]] = []
                    var nextLabels: [[String]] = []
                    for (combination, label) in zip(combinations, labels) {
                        for item in values {
                            var extended = combination
                            extended[key] = item
                            nextCombinations.append(extended)
                            // A one-value list is a setting, not a swept axis: keep it out of the label.
                            nextLabels.append(values.count > 1 ? label + ["\(key)=\(display(item))"] : label)
                        }
                    }
                    combinations = nextCombinations
                    labels = nextLabels
                } else {
                    for index in combinations.indices { combinations[index][key] = value }
                }
            }
            return zip(combinations, labels).map { combination, label in
                let fallback = swept.compactMap { key in combination[key].map { "\(key)=\(display($0))" } }.first ?? method
                return Point(label: label.isEmpty ? fallback : label.joined(separator: " "), method: .object(combination))
            }
        }
        return []
    }

    private static func display(_ value: CanonicalValue) -> String {
        switch value {
        case .int(let number): return String(number)
        case .number(let number): return "\(number)"
        case .string(let text): return text
        case .bool(let flag): return String(flag)
        default: return "…"
        }
    }
}
