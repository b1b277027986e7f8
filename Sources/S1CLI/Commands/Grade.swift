import ArgumentParser
import Foundation
import S1Method

struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Grade answers offline: one (--pred, --gold) pair, or a JSONL file of {\"pred\", \"gold\", \"options\"?} lines.",
        discussion: """
        The answer is extracted as the evaluation does: the text after the answer delimiter, the last \\boxed{…},
        else the last 'Answer:'. Graders: integer (AIME-style), choice (GPQA-style, options optional), exact
        (normalised string), math (LaTeX equivalence in the spirit of math-verify).
        """)

    @Option(help: "integer | choice | exact | math")
    var grader: String = "math"

    @Option(help: "A model response (or a bare answer).")
    var pred: String?

    @Option(help: "The gold answer.")
    var gold: String?

    @Option(parsing: .singleValue, help: "A multiple-choice option's text, in order A, B, C, … (repeatable).")
    var option: [String] = []

    @Option(help: "A JSONL file of pairs; prints one JSON verdict per line.")
    var pairs: String?

    func validate() throws {
        if pairs == nil && (pred == nil || gold == nil) {
            throw ValidationError("give --pred and --gold, or --pairs FILE.jsonl")
        }
        if pairs != nil && (pred != nil || gold != nil) {
            throw ValidationError("--pairs grades a file; leave out --pred and --gold")
        }
    }

    func run() throws {
        try reportingFailures {
            let responseGrader = ResponseGrader(kind: try GraderKind.named(grader))
            if let pairs {
                guard let content = try? String(contentsOfFile: pairs, encoding: .utf8) else {
                    throw ValidationError("\(pairs): cannot read it as UTF-8 text")
                }
                for line in try PairGrading.gradeLines(content, path: pairs, grader: responseGrader) { print(line) }
                return
            }
            let verdict = responseGrader.grade(response: pred!, gold: gold!, options: option)
            print("predicted: \(verdict.predicted.text)  (from \(verdict.predicted.source.rawValue))")
            print("gold:      \(verdict.gold.text)")
            print("verdict:   \(verdict.correct ? "correct" : "incorrect")  (\(verdict.grader.rawValue) grader)")
            if !verdict.correct { throw ExitCode(1) }
        }
    }
}
