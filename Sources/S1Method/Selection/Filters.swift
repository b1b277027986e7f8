// The quality and difficulty stages: each keeps or drops a record and names the rule that dropped it.

enum QualityFilter {
    /// The first rule `record` breaks, or nil when it passes. Rules are checked in a fixed order, and a record
    /// is counted under its first broken rule only, so the per-rule counts add up to the records dropped.
    static func brokenRule(_ record: PoolRecord, rules: QualityRules) -> String? {
        if record.question.allSatisfy(\.isWhitespace) { return "quality.empty_question" }
        if record.thinkingTrajectories.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { return "quality.empty_thinking" }
        if record.attempt.allSatisfy(\.isWhitespace) { return "quality.empty_attempt" }
        for marker in rules.errorMarkers where !marker.isEmpty
            && (record.attempt.contains(marker) || record.thinkingTrajectories.contains { $0.contains(marker) }) {
            return "quality.errored"
        }
        for pattern in rules.dropPatterns where !pattern.isEmpty
            && (record.question.contains(pattern) || record.attempt.contains(pattern)) {
            return "quality.pattern:\(pattern)"
        }
        if rules.checkNumbering, !numberingIsConsistent(record.question) { return "quality.inconsistent_numbering" }
        return nil
    }

    /// Numbered lines (`1.` / `1)` at a line start) must count 1, 2, 3, …; a new list may restart at 1.
    static func numberingIsConsistent(_ text: String) -> Bool {
        var previous = 0
        for line in text.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 3, let n = Int(digits) else { continue }
            let rest = trimmed.dropFirst(digits.count)
            guard let mark = rest.first, mark == "." || mark == ")",
                  rest.dropFirst().first.map({ $0 == " " || $0 == "\t" }) ?? true else { continue }
            if n == 1 || n == previous + 1 { previous = n } else { return false }
        }
        return true
    }
}

enum DifficultyFilter {
    /// The rule that drops `record` (a listed base model solved it), or nil.
    static func brokenRule(_ record: PoolRecord, rules: DifficultyRules) -> String? {
        for model in rules.solvedBy where record.baseResults?[model] == true {
            return "difficulty.solved_by:\(model)"
        }
        return nil
    }

    /// Whether some listed model has no annotation on this record (kept, but reported).
    static func isUnannotated(_ record: PoolRecord, rules: DifficultyRules) -> Bool {
        rules.solvedBy.contains { record.baseResults?[$0] == nil }
    }
}
