import Foundation
import S1Runner
import XCTest

final class SeedTreeAndProgressTests: XCTestCase {
    func testSeedsAreStableDistinctAndIndependentOfOtherBranches() {
        let tree = SeedTree(root: 1234)
        XCTAssertEqual(tree.seed(step: "select"), SeedTree(root: 1234).seed(step: "select"))
        let seeds = ["pool", "select", "train"].map { tree.seed(step: $0) }
        XCTAssertEqual(Set(seeds).count, 3)
        XCTAssertNotEqual(tree.seed(step: "evaluate", point: "a", index: 0), tree.seed(step: "evaluate", point: "a", index: 1))
        XCTAssertNotEqual(tree.seed(step: "evaluate", point: "a"), tree.seed(step: "evaluate", point: "b"))
        XCTAssertNotEqual(tree.seed(step: "select"), SeedTree(root: 1235).seed(step: "select"))
        // Field boundaries are unambiguous: ("ab", "c") and ("a", "bc") differ.
        XCTAssertNotEqual(tree.seed(step: "ab", point: "c"), tree.seed(step: "a", point: "bc"))
    }

    func testPlainLinesProgressWhenNotATerminal() throws {
        let pipe = Pipe()
        let progress = TerminalProgress(style: .lines, output: pipe.fileHandleForWriting)
        progress.event(.stepStarted(name: "train", kind: "sft", cached: false, reason: nil))
        progress.event(.stepProgress(name: "train", completed: 315, total: 315, unit: "steps", message: "loss 0.12"))
        progress.event(.stepFinished(name: "train", cached: false, seconds: 2.5))
        progress.event(.stepStarted(name: "pool", kind: "synthetic-pool", cached: true, reason: nil))
        progress.event(.stepFinished(name: "pool", cached: true, seconds: 0))
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(text.split(separator: "\n").map(String.init).first, "▶ train [sft]")
        XCTAssertTrue(text.contains("train: 315/315 steps"), text)
        XCTAssertTrue(text.contains("loss 0.12"), text)
        XCTAssertTrue(text.contains("✓ train (2.5s)"), text)
        XCTAssertTrue(text.contains("✓ pool (cached)"), text)
        XCTAssertFalse(text.contains("\r"), "no carriage returns outside a terminal")
    }

    func testQuietShowsOnlyFailures() throws {
        let pipe = Pipe()
        let progress = TerminalProgress(style: .quiet, output: pipe.fileHandleForWriting)
        progress.event(.stepStarted(name: "train", kind: "sft", cached: false, reason: nil))
        progress.event(.stepFailed(name: "train", message: "out of memory"))
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(text, "✗ train: out of memory\n")
    }
}
