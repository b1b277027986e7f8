import XCTest
import S1Spec

final class ExplainTests: XCTestCase {
    func testExplainListsEveryLeafWithItsOrigin() throws {
        let spec = try loadText(minimalSpec, overrides: ["train.epochs=3"])
        let lines = spec.explain().split(separator: "\n").map(String.init)
        func line(_ key: String) -> String? { lines.first { $0.hasPrefix(key + ": ") } }
        XCTAssertEqual(line("seed").map { $0.hasSuffix("# spec.yaml:2") }, true)
        XCTAssertEqual(line("train.epochs").map { $0.hasSuffix("# --set train.epochs=3") }, true)
        XCTAssertEqual(line("train.lr").map { $0.hasPrefix("train.lr: 1e-05 ") && $0.hasSuffix("# default") }, true)
        XCTAssertEqual(line("evaluate.sweeps[0].forcing.max_thinking_tokens").map { $0.contains("[8, 16]") && $0.hasSuffix("# spec.yaml:10") }, true)
        XCTAssertEqual(line("template.think_end").map { $0.contains("\"<|im_start|>answer\"") }, true)
        // Sorted by key path, one line per leaf, and nothing left out: every leaf of the tree appears.
        let keys = lines.map { String($0.prefix { $0 != ":" }) }
        XCTAssertEqual(keys, keys.sorted())
        XCTAssertEqual(keys.count, Set(keys).count)
        XCTAssertEqual(keys.count, leafCount(spec.tree))
    }

    private func leafCount(_ v: SpecValue) -> Int {
        switch v {
        case .map(let m) where !m.isEmpty: return m.values.map(leafCount).reduce(0, +)
        case .list(let l) where l.contains(where: { if case .map = $0 { return true }; return false }):
            return l.map(leafCount).reduce(0, +)
        default: return 1
        }
    }

    func testOriginOfAContainerAndOfMissingPaths() throws {
        let spec = try loadText(minimalSpec)
        XCTAssertEqual(spec.origin(of: "model.init"), .file(SourceLocation(file: "spec.yaml", line: 4, column: 9)))
        XCTAssertEqual(spec.origin(of: "train"), .defaultValue)
        XCTAssertNil(spec.origin(of: "train.nope"))
        XCTAssertNil(spec.value(at: "evaluate.sweeps[3]"))
        XCTAssertNil(spec.value(at: "evaluate..sweeps"))
        XCTAssertEqual(spec.value(at: "evaluate.sweeps[0].name"), .string("budget"))
        XCTAssertEqual(ValueOrigin.defaultValue.description, "default")
        XCTAssertEqual(ValueOrigin.override("a=1").description, "--set a=1")
    }

    func testCanonicalYAMLIsSortedAndReloadsToTheSameTree() throws {
        let spec = try loadText(minimalSpec + "template: {system_prompt: \"Say \\\"hi\\\"\\n\\tthen: think\"}\ntrain: {lr: 3.0e-4}\n")
        let yaml = spec.canonicalYAML()
        let topKeys = yaml.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("-") }.map { String($0.prefix { $0 != ":" }) }
        XCTAssertEqual(topKeys, topKeys.sorted())
        XCTAssertTrue(yaml.contains("  lr: 0.0003\n"))
        let again = try SpecLoader.load(text: yaml, fileName: "c.yaml", baseDirectory: ".")
        XCTAssertEqual(again.tree, spec.tree)
        XCTAssertEqual(again.experiment.template.systemPrompt, "Say \"hi\"\n\tthen: think")
        XCTAssertEqual(again.canonicalYAML(), yaml)
    }

    func testRelativePathsResolveAgainstTheSpecFolder() throws {
        let spec = try SpecLoader.load(text: minimalSpec, fileName: "x.yaml", baseDirectory: "experiments")
        XCTAssertEqual(spec.resolvePath("models/m"), "experiments/models/m")
        XCTAssertEqual(spec.baseDirectory, "experiments")
        XCTAssertNil(spec.sourcePath)
    }
}
