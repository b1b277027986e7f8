import XCTest
import S1Spec

final class OverrideTests: XCTestCase {
    func testOverridesAreTypedByTheSchema() throws {
        let spec = try loadText(minimalSpec, overrides: ["train.lr=2", "train.adam.beta2=0.999", "backend=cuda"])
        XCTAssertEqual(spec.value(at: "train.lr"), .double(2))
        XCTAssertEqual(spec.experiment.train.beta2, 0.999)
        XCTAssertEqual(spec.experiment.train.beta1, 0.9)
        XCTAssertEqual(spec.experiment.backend, .cuda)
        XCTAssertEqual(spec.origin(of: "train.lr"), .override("train.lr=2"))
        XCTAssertEqual(spec.origin(of: "train.adam.beta1"), .defaultValue)
    }

    func testListIndicesAndFlowValues() throws {
        let spec = try loadText(minimalSpec, overrides: ["evaluate.sweeps[0].forcing.max_thinking_tokens=[16, 32, 64]",
                                                         "evaluate.sweeps[0].name=budget2",
                                                         "evaluate.benchmarks[0]={name: other, jsonl: q.jsonl, grader: math}"])
        guard case .forcing(let f) = spec.experiment.evaluate.sweeps[0].method else { return XCTFail() }
        XCTAssertEqual(f.maxThinkingTokens, [16, 32, 64])
        XCTAssertEqual(spec.experiment.evaluate.sweeps[0].name, "budget2")
        XCTAssertEqual(spec.experiment.evaluate.benchmarks[0].source, .jsonl("q.jsonl"))
        XCTAssertEqual(spec.origin(of: "evaluate.sweeps[0].forcing.max_thinking_tokens[1]"),
                       .override("evaluate.sweeps[0].forcing.max_thinking_tokens=[16, 32, 64]"))
        // Untouched siblings keep their file origin.
        XCTAssertEqual(spec.origin(of: "evaluate.benchmarks"), .file(SourceLocation(file: "spec.yaml", line: 8, column: 15)))
    }

    func testOverrideCreatesMissingSectionsAndLaterOverridesWin() throws {
        let spec = try loadText(minimalSpec, overrides: ["train.epochs=3", "train.epochs=4", "report.formats=md"])
        XCTAssertEqual(spec.experiment.train.epochs, 4)
        XCTAssertEqual(spec.experiment.report.formats, [.md])
    }

    func testOverrideMatchesTheSameValueWrittenInTheFile() throws {
        let viaFile = try loadText(minimalSpec + "train: {block_size: 4096}\n")
        let viaSet = try loadText(minimalSpec, overrides: ["train.block_size=4096"])
        XCTAssertEqual(viaFile.tree, viaSet.tree)
        XCTAssertEqual(viaFile.canonicalYAML(), viaSet.canonicalYAML())
    }

    func testOverrideErrorsAreLocatedAtTheOverride() {
        let d = diagnostics(minimalSpec, overrides: ["seed=1", "train.lr=-1", "trian.lr=1", "evaluate.sweeps[0]name=x",
                                                     "seed.value=1", "name=[unclosed"])
        XCTAssertEqual(d.map(\.location.description), ["--set #2:10", "--set #3:1", "--set #4:1", "--set #5:1", "--set #6:15"])
        XCTAssertEqual(d.map(\.keyPath), ["train.lr", "trian", "evaluate.sweeps[0]name", "seed", "name"])
        XCTAssertTrue(d[1].hint.contains("did you mean 'train'"))
        XCTAssertEqual(d[4].expected, "valid YAML")
    }
}
