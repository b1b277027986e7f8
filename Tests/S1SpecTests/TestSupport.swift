import Foundation
import XCTest
import S1Spec

/// The repository root, found from this file's path (tests read `experiments/` from the working tree).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A minimal valid experiment, extended by tests.
let minimalSpec = """
name: tiny
seed: 7
model:
  init: {hidden: 32, layers: 1, heads: 2, kv_heads: 1, intermediate: 64}
data:
  pool: {tasks: synthetic, size: 100}
evaluate:
  benchmarks: [{name: held-out, split: test, grader: integer}]
  sweeps:
    - {name: budget, forcing: {max_thinking_tokens: [8, 16]}}

"""

func loadText(_ text: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> ResolvedSpec {
    try SpecLoader.load(text: text, fileName: "spec.yaml", baseDirectory: "experiments", overrides: overrides)
}

/// The diagnostics of a spec that must fail to load.
func diagnostics(_ text: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> [SpecDiagnostic] {
    do {
        _ = try SpecLoader.load(text: text, fileName: "spec.yaml", baseDirectory: ".", overrides: overrides)
        XCTFail("spec loaded but should have failed", file: file, line: line)
        return []
    } catch let error as SpecErrors {
        return error.diagnostics
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return []
    }
}
