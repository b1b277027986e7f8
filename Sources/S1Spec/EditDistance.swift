/// Levenshtein distance, for "did you mean" suggestions on unknown keys and values.
public enum EditDistance {
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    /// The closest candidate within a third of the word's length (at least 2 edits), ties broken by list order.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word, c)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        if let best { return best.0 }
        // A clipped or extended name (`warmup` for `warmup_ratio`) is far in edits but obvious to a reader.
        let lower = word.lowercased()
        guard lower.count >= 3 else { return nil }
        return candidates.first { $0.lowercased().hasPrefix(lower) || lower.hasPrefix($0.lowercased()) && $0.count >= 3 }
    }
}
