import Foundation
import XCTest

/// `s1 grade` and `s1 inspect`: the commands users point at their own answers, checkpoints and tokenizers.
final class ToolCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try scratchDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testGradeOnePairPrintsExtractionAndVerdict() throws {
        let right = try S1Process.run(["grade", "--grader", "math", "--pred", "thus \\boxed{\\frac{1}{2}}", "--gold", "0.5"], in: directory)
        XCTAssertEqual(right.status, 0, right.combined)
        XCTAssertTrue(right.stdout.contains("predicted: \\frac{1}{2}  (from boxed)"), right.stdout)
        XCTAssertTrue(right.stdout.contains("verdict:   correct"), right.stdout)
        let wrong = try S1Process.run(["grade", "--grader", "integer", "--pred", "Answer: 41", "--gold", "042"], in: directory)
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stdout.contains("incorrect"), wrong.stdout)
    }

    func testGradePairsFileGivesOneJSONVerdictPerLineAndLocatesBadLines() throws {
        try """
        {"pred": "Answer: 7", "gold": "7"}
        {"pred": "Answer: 8", "gold": "7"}
        """.write(to: directory.appendingPathComponent("pairs.jsonl"), atomically: true, encoding: .utf8)
        let result = try S1Process.run(["grade", "--grader", "integer", "--pairs", "pairs.jsonl"], in: directory)
        XCTAssertEqual(result.status, 0, result.combined)
        let verdicts = try result.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(verdicts.map { $0["correct"] as? Bool }, [true, false])

        try "{\"pred\": 1}\n".write(to: directory.appendingPathComponent("bad.jsonl"), atomically: true, encoding: .utf8)
        let bad = try S1Process.run(["grade", "--grader", "integer", "--pairs", "bad.jsonl"], in: directory)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("bad.jsonl") && bad.stderr.contains("1"), bad.stderr)
    }

    func testInspectTokenizeAndDecodeRoundTrip() throws {
        let encoded = try S1Process.run(["inspect", "tokenize", "bytes", "--text", "<|im_start|>hi", "--json"], in: directory)
        XCTAssertEqual(encoded.status, 0, encoded.combined)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(encoded.stdout.utf8)) as? [String: Any])
        let ids = try XCTUnwrap(object["ids"] as? [Int])
        XCTAssertEqual(ids.count, 3, "the special token is one id, then one per byte")
        XCTAssertEqual(Array(ids.suffix(2)), [Int(UInt8(ascii: "h")), Int(UInt8(ascii: "i"))])
        let decoded = try S1Process.run(["inspect", "tokenize", "bytes", "--decode", ids.map(String.init).joined(separator: ",")],
                                        in: directory)
        XCTAssertTrue(decoded.stdout.contains("<|im_start|>hi"), decoded.stdout)
    }

    func testInspectReportsAMissingCheckpointClearly() throws {
        let result = try S1Process.run(["inspect", "checkpoint", "no-such-model"], in: directory)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("no-such-model"), result.stderr)
    }
}
