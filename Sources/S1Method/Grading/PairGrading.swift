// The library side of `s1 grade --pairs FILE.jsonl`: the Runner/CLI reads the file, this grades its lines and
// returns one JSON verdict per line (sorted keys, so outputs diff cleanly).

import Foundation

/// Grades `{"pred": …, "gold": …, "options": […]?}` lines.
public enum PairGrading {
    /// One verdict per non-blank input line, as JSON text. `path` only names the input in errors.
    public static func gradeLines(_ content: String, path: String, grader: ResponseGrader) throws -> [String] {
        var out: [String] = []
        for (index, rawLine) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = LatexText.trimmed(String(rawLine))
            if line.isEmpty { continue }
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8))
            guard let fields = object as? [String: Any], let pred = fields["pred"] as? String,
                  let gold = fields["gold"] as? String else {
                throw GradingError.badPairLine(path: path, line: index + 1,
                                               expected: #"a JSON object {"pred": string, "gold": string}"#,
                                               found: String(line.prefix(80)))
            }
            var options: [String] = []
            if let raw = fields["options"] {
                guard let list = raw as? [String] else {
                    throw GradingError.badPairLine(path: path, line: index + 1,
                                                   expected: #""options" as an array of strings"#,
                                                   found: String(describing: raw).prefix(80).description)
                }
                options = list
            }
            let verdict = grader.grade(response: pred, gold: gold, options: options)
            out.append(json(verdict, pred: pred, gold: gold, line: index + 1))
        }
        return out
    }

    /// One verdict as a JSON object with sorted keys.
    public static func json(_ verdict: GradeVerdict, pred: String, gold: String, line: Int? = nil) -> String {
        var object: [String: Any] = [
            "correct": verdict.correct,
            "gold": gold,
            "gold_extracted": verdict.gold.text,
            "grader": verdict.grader.rawValue,
            "pred": pred,
            "pred_extracted": verdict.predicted.text,
            "pred_source": verdict.predicted.source.rawValue,
        ]
        if let line { object["line"] = line }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
