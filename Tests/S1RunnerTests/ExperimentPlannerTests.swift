import Foundation
import S1Runner
import S1Spec
import S1Store
import XCTest

/// The DAG an experiment becomes: its shape, stable sweep-point ids, and keys that only move when what a step
/// reads moves.
final class ExperimentPlannerTests: XCTestCase {
    static let experiments = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../experiments").standardizedFileURL

    private func plan(_ file: String, overrides: [String] = []) throws -> (ExperimentPlan, ResolvedSpec) {
        let spec = try SpecLoader.load(path: Self.experiments.appendingPathComponent(file).path, overrides: overrides)
        return (try ExperimentPlanner.plan(spec), spec)
    }

    func testS1MiniHasThePaperPipelineInOrder() throws {
        let (experimentPlan, _) = try plan("s1-mini.yaml")
        let names = experimentPlan.plan.steps.map(\.name)
        XCTAssertEqual(Array(names.prefix(7)), ["pool", "pretrain/base-small", "attempts/base-small", "pretrain/base-large",
                                               "attempts/base-large", "select", "train"])
        XCTAssertEqual(names.last, "metrics")
        let budget = experimentPlan.plan.steps.filter { $0.name.hasPrefix("evaluate/budget/") && $0.kind == "evaluate" }
        XCTAssertEqual(budget.map(\.pointLabel), [8, 16, 32, 48, 64, 96].map { "max_thinking_tokens=\($0)" })
        XCTAssertEqual(experimentPlan.plan.steps.filter { $0.name.hasPrefix("evaluate/wait/") && $0.kind == "evaluate" }.count, 4)
        // The budget and Wait sweeps share one chain per question: each point reads its sweep's shared step.
        for sweep in ["budget", "wait"] {
            let shared = try XCTUnwrap(experimentPlan.plan.step(named: "evaluate/\(sweep)/shared"))
            XCTAssertEqual(shared.kind, ExperimentPlanner.Kind.evaluateShared)
            for point in experimentPlan.plan.steps where point.name.hasPrefix("evaluate/\(sweep)/") && point.kind == "evaluate" {
                XCTAssertEqual(point.upstreamSteps, ["evaluate/\(sweep)/shared"], point.name)
            }
        }
        // Prompt control varies the prompt, so its points decode separately.
        XCTAssertNil(experimentPlan.plan.step(named: "evaluate/tcc/shared"))
        // Majority voting evaluates the base model, not the fine-tuned one.
        let vote = try XCTUnwrap(experimentPlan.plan.steps.first { $0.name.hasPrefix("evaluate/vote/") })
        XCTAssertEqual(vote.inputs["weights"], .output(step: "pretrain/base-large", file: "model.safetensors"))
        let select = try XCTUnwrap(experimentPlan.plan.step(named: "select"))
        XCTAssertEqual(select.upstreamSteps, ["attempts/base-large", "attempts/base-small", "pool"])
        XCTAssertEqual(experimentPlan.published["results.json"], PublishedOutput(step: "metrics", file: "results.json"))
    }

    func testAddingASweepPointAddsOnlyThatStepAndKeepsTheOthersIDs() throws {
        let (before, _) = try plan("s1-mini.yaml")
        let (after, _) = try plan("s1-mini.yaml", overrides: ["evaluate.sweeps[0].forcing.max_thinking_tokens=[8, 16, 24, 32, 48, 64, 96]"])
        let old = Set(before.plan.steps.map(\.name)), new = Set(after.plan.steps.map(\.name))
        XCTAssertEqual(new.subtracting(old).count, 1)
        XCTAssertTrue(old.isSubset(of: new))
        let added = try XCTUnwrap(after.plan.steps.first { !old.contains($0.name) })
        XCTAssertEqual(added.pointLabel, "max_thinking_tokens=24")
    }

    func testEachStepReadsOnlyItsPartOfTheSpec() throws {
        let (base, _) = try plan("s1-mini.yaml")
        let (changed, _) = try plan("s1-mini.yaml", overrides: ["train.lr=2e-3"])
        func parameters(_ p: ExperimentPlan) -> [String: Data] {
            Dictionary(uniqueKeysWithValues: p.plan.steps.map { ($0.name, (try? $0.parameters.canonicalJSON()) ?? Data()) })
        }
        let a = parameters(base), b = parameters(changed)
        let differing = a.keys.filter { a[$0] != b[$0] }.sorted()
        XCTAssertEqual(differing, ["train"], "only the training step reads train.lr")
        let (written, _) = try plan("s1-mini.yaml", overrides: ["train.lr=0.001"])
        XCTAssertEqual(parameters(written), a, "1e-3 and 0.001 are the same value")
    }

    /// The ablation files differ from s1-mini only in what they evaluate, so every upstream step plans the same
    /// parameters and inputs (hence the same keys) and `s1 run` of an ablation reuses s1-mini's cached steps.
    func testAblationsShareEveryUpstreamStepWithS1Mini() throws {
        let (mini, _) = try plan("s1-mini.yaml")
        let upstream = mini.plan.steps.filter { !$0.name.hasPrefix("evaluate") && $0.name != "metrics" }
        XCTAssertEqual(upstream.count, 7)
        for file in ["ablation-extension.yaml", "baselines.yaml"] {
            let (ablation, _) = try plan(file)
            for step in upstream {
                let twin = try XCTUnwrap(ablation.plan.step(named: step.name), "\(file): \(step.name)")
                XCTAssertEqual(try twin.parameters.canonicalJSON(), try step.parameters.canonicalJSON(), "\(file): \(step.name)")
                XCTAssertEqual(twin.inputs, step.inputs, "\(file): \(step.name)")
            }
            XCTAssertGreaterThan(ablation.plan.steps.filter { $0.name.hasPrefix("evaluate/") }.count, 3, file)
        }
        let extensions = try plan("ablation-extension.yaml").0.plan.steps.compactMap(\.pointLabel)
        XCTAssertEqual(extensions.filter { $0.hasPrefix("extension=") }.sorted(),
                       ["extension=Alternatively", "extension=Hmm", "extension=Wait", "extension=none"])
    }

    func testPaperConfigurationPlansWithItsFilesAbsent() throws {
        let (experimentPlan, _) = try plan("s1-32b.yaml")
        XCTAssertTrue(experimentPlan.inputFiles.contains("data/s1K.jsonl"), "\(experimentPlan.inputFiles)")
        let train = try XCTUnwrap(experimentPlan.plan.step(named: "train"))
        XCTAssertEqual(train.inputs["checkpoint"], .directory(path: "models/Qwen2.5-32B-Instruct"))
        let pool = try XCTUnwrap(experimentPlan.plan.step(named: "pool"))
        XCTAssertEqual(pool.kind, ExperimentPlanner.Kind.importPool)
        XCTAssertNil(experimentPlan.plan.step(named: "pretrain/qwen2.5-32b"), "checkpoint base models are not pretrained")
        // Selection counts trace tokens with the fine-tuned checkpoint's tokenizer; s1-mini's models need no file.
        let select = try XCTUnwrap(experimentPlan.plan.step(named: "select"))
        XCTAssertEqual(select.inputs["tokenizer"], .file(path: "models/Qwen2.5-32B-Instruct/tokenizer.json"))
        XCTAssertNil(try plan("s1-mini.yaml").0.plan.step(named: "select")?.inputs["tokenizer"])
    }
}
