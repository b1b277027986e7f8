import S1Store

/// Which sweeps decode as one shared chain (prefix sharing): budget forcing points that differ only in
/// `max_thinking_tokens` (none ignoring ends), or only in `ignore_end`.
enum SharedSweep {
    /// The point key the sweep varies, when its points can share one chain per question; nil otherwise.
    static func varyingKey(_ points: [CanonicalValue]) -> String? {
        guard points.count >= 2 else { return nil }
        let objects = points.compactMap { point -> [String: CanonicalValue]? in
            guard case .object(let fields) = point, fields["method"] == .string("forcing") else { return nil }
            return fields
        }
        guard objects.count == points.count else { return nil }
        for key in ["max_thinking_tokens", "ignore_end"] {
            let rest = objects.map { $0.filter { $0.key != key } }
            let values = Set(objects.compactMap { $0[key] })
            guard rest.allSatisfy({ $0 == rest[0] }), values.count == objects.count else { continue }
            // A budget sweep's chain cannot ignore ends (the ignore rule depends on the budget).
            if key == "max_thinking_tokens", let ignore = rest[0]["ignore_end"], ignore != .int(0) { continue }
            return key
        }
        return nil
    }
}
