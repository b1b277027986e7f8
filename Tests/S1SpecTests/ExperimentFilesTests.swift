import Foundation
import XCTest
import S1Spec

final class ExperimentFilesTests: XCTestCase {
    func testMiniExperimentLoads() throws {
        let path = repositoryRoot.appendingPathComponent("experiments/s1-mini.yaml").path
        let spec = try SpecLoader.load(path: path)
        let e = spec.experiment
        XCTAssertEqual(e.name, "s1-mini")
        XCTAssertEqual(e.baseModels.map(\.name), ["base-small", "base-large"])
        XCTAssertEqual(e.train.from, "base-large")
        XCTAssertEqual(e.data.select.size, 1000)
        XCTAssertEqual(e.data.select.solvedBy, ["base-small", "base-large"])
        // Merge key: base-large inherits base-small's shape and overrides the sizes.
        guard case .initialize(let large) = e.baseModels[1].source, case .initialize(let small) = e.baseModels[0].source else {
            return XCTFail("base models should be from scratch")
        }
        XCTAssertEqual(large.hidden, 128)
        XCTAssertEqual(small.hidden, 64)
        XCTAssertEqual(large.ropeTheta, small.ropeTheta)
        XCTAssertEqual(large.maxPosition, 1024)
        // Issue 6: >= 200 test questions, >= 5 budgets, Wait 0/1/2/4, TCC, RS, majority over a base model.
        XCTAssertGreaterThanOrEqual(e.evaluate.benchmarks[0].size ?? 0, 200)
        var methods: [String] = []
        for sweep in e.evaluate.sweeps {
            switch sweep.method {
            case .forcing(let f):
                if let budgets = f.maxThinkingTokens { XCTAssertGreaterThanOrEqual(budgets.count, 5); methods.append("budget") }
                if let ignores = f.ignoreEnd { XCTAssertEqual(ignores, [0, 1, 2, 4]); XCTAssertEqual(f.extensions, ["Wait"]); methods.append("wait") }
            case .promptControl(let p):
                if case .tokens = p.kind { methods.append("tcc") }
            case .rejectionSampling: methods.append("rs")
            case .majority(let m):
                XCTAssertTrue(e.baseModels.map(\.name).contains(m.model))
                methods.append("vote")
            }
        }
        XCTAssertEqual(methods, ["budget", "wait", "tcc", "rs", "vote"])
        XCTAssertEqual(spec.sourcePath, path)
    }

    func testPaperExperimentLoadsWithoutItsInputFiles() throws {
        let path = repositoryRoot.appendingPathComponent("experiments/s1-32b.yaml").path
        let spec = try SpecLoader.load(path: path)
        let e = spec.experiment
        XCTAssertEqual(e.model, .checkpoint("models/Qwen2.5-32B-Instruct"))
        XCTAssertEqual(e.data.pool, .jsonl(path: "data/s1K.jsonl", size: nil))
        XCTAssertEqual(e.evaluate.benchmarks.map(\.name), ["aime24", "math500", "gpqa-diamond"])
        XCTAssertEqual(e.evaluate.benchmarks.map(\.grader), [.integer, .math, .choice])
        // The paper's training hyperparameters (docs/METHOD.md §8).
        let t = e.train
        XCTAssertEqual([t.epochs, t.batchSize, t.blockSize], [5, 16, 32768])
        XCTAssertEqual([t.lr, t.minLR, t.warmupRatio, t.weightDecay, t.beta1, t.beta2, t.eps, t.gradClip],
                       [1e-5, 0, 0.05, 1e-4, 0.9, 0.95, 1e-8, 1.0])
        XCTAssertEqual(t.schedule, .cosine)
        XCTAssertEqual(t.lossOn, [.thinking, .answer])
        XCTAssertEqual(t.precision, .bf16)
        // Paths stay as written; resolving is a separate helper.
        XCTAssertEqual(spec.value(at: "model.checkpoint"), .string("models/Qwen2.5-32B-Instruct"))
        XCTAssertFalse(spec.canonicalYAML().contains(repositoryRoot.path))
        XCTAssertEqual(spec.resolvePath("models/Qwen2.5-32B-Instruct"),
                       repositoryRoot.appendingPathComponent("experiments/models/Qwen2.5-32B-Instruct").path)
        XCTAssertEqual(spec.resolvePath("/abs/x"), "/abs/x")
        XCTAssertEqual(spec.inputPaths.map { "\($0.keyPath)=\($0.path)" }, [
            "base_models[0].checkpoint=models/Qwen2.5-7B-Instruct",
            "base_models[1].checkpoint=models/Qwen2.5-32B-Instruct",
            "data.pool.jsonl=data/s1K.jsonl",
            "evaluate.benchmarks[0].jsonl=bench/aime24.jsonl",
            "evaluate.benchmarks[1].jsonl=bench/math500.jsonl",
            "evaluate.benchmarks[2].jsonl=bench/gpqa-diamond.jsonl",
            "model.checkpoint=models/Qwen2.5-32B-Instruct",
        ])
    }

    func testMiniExperimentReadsNoFiles() throws {
        let spec = try SpecLoader.load(path: repositoryRoot.appendingPathComponent("experiments/s1-mini.yaml").path)
        XCTAssertEqual(spec.inputPaths, [])
    }

    func testUnreadableSpecFileIsASpecError() {
        XCTAssertThrowsError(try SpecLoader.load(path: "/nonexistent/spec.yaml")) { error in
            let d = (error as? SpecErrors)?.diagnostics ?? []
            XCTAssertEqual(d.map(\.location.description), ["/nonexistent/spec.yaml:1:1"])
            XCTAssertEqual(d.first?.expected, "a readable spec file")
        }
    }

    func testExperimentFilesMatchTheirCanonicalForm() throws {
        for name in ["s1-mini.yaml", "s1-32b.yaml"] {
            let spec = try SpecLoader.load(path: repositoryRoot.appendingPathComponent("experiments/" + name).path)
            let again = try SpecLoader.load(text: spec.canonicalYAML(), fileName: "canonical.yaml", baseDirectory: ".")
            XCTAssertEqual(again.tree, spec.tree, name)
            XCTAssertEqual(again.experiment, spec.experiment, name)
            XCTAssertEqual(again.canonicalYAML(), spec.canonicalYAML(), name)
        }
    }
}
