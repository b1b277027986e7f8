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
        XCTAssertEqual(budget.map(\.pointLabel), [16, 32, 64, 96, 128, 160].map { "max_thinking_tokens=\($0)" })
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
        let (after, _) = try plan("s1-mini.yaml", overrides: ["evaluate.sweeps[0].forcing.max_thinking_tokens=[16, 24, 32, 64, 96, 128, 160]"])
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
        for file in ["ablation-extension.yaml", "baselines.yaml", "ablation-selection.yaml", "ablation-block-size.yaml"] {
            let (ablation, _) = try plan(file)
            for step in upstream {
                let twin = try XCTUnwrap(ablation.plan.step(named: step.name), "\(file): \(step.name)")
                XCTAssertEqual(try twin.parameters.canonicalJSON(), try step.parameters.canonicalJSON(), "\(file): \(step.name)")
                XCTAssertEqual(twin.inputs, step.inputs, "\(file): \(step.name)")
            }
            XCTAssertGreaterThan(ablation.plan.steps.filter { $0.name.hasPrefix("evaluate/") }.count, 3, file)
        }
        // The variant files share s1-mini's evaluation points too, and vary only what their overrides reach.
        let (selection, _) = try plan("ablation-selection.yaml")
        for step in mini.plan.steps where step.name.hasPrefix("evaluate/budget/") {
            XCTAssertEqual(try selection.plan.step(named: step.name).map { try $0.parameters.canonicalJSON() },
                           try step.parameters.canonicalJSON(), step.name)
        }
        let selectionSteps = selection.plan.steps.map(\.name)
        for variant in ["random", "diverse", "longest", "full-pool"] {
            XCTAssertTrue(selectionSteps.contains("variants/\(variant)/select"), variant)
            XCTAssertFalse(selectionSteps.contains { $0.hasPrefix("variants/\(variant)/pretrain") }, variant)
        }
        let blockSteps = try plan("ablation-block-size.yaml").0.plan.steps.map(\.name)
        XCTAssertTrue(blockSteps.contains("variants/block-128/train") && !blockSteps.contains("variants/block-128/select"))
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

/// `variants:` fold into one plan: what a variant shares with the base runs once, the rest runs under
/// `variants/<name>/` with the base step's seed branch, and a `variants` step compares every configuration.
final class VariantPlanTests: XCTestCase {
    private func plan(_ text: String) throws -> ExperimentPlan {
        try ExperimentPlanner.plan(try SpecLoader.load(text: text, fileName: "v.yaml", baseDirectory: "."))
    }

    private let experiment = """
    name: v
    seed: 3
    data:
      pool: {tasks: synthetic, size: 100, test_size: 6}
      select: {difficulty: {solved_by: [base]}, diversity: {size: 20}}
    base_models:
      - name: base
        init: {hidden: 16, layers: 1, heads: 2, kv_heads: 1, intermediate: 32}
        pretrain: {steps: 2, lr: 1.0e-3, batch_size: 4}
    train: {from: base, block_size: 512}
    evaluate:
      benchmarks: [{name: t, split: test, grader: exact}]
      sweeps: [{name: budget, forcing: {max_thinking_tokens: [4, 8]}}]
    variants:
      - {name: random, set: ["data.select.diversity.variant=random"]}
      - {name: short, set: ["train.block_size=64"]}

    """

    func testSharedStepsPlanOnceAndVariedStepsKeepTheirSeedBranch() throws {
        let merged = try plan(experiment)
        let names = merged.plan.steps.map(\.name)
        XCTAssertEqual(names.filter { $0.hasPrefix("pretrain/") || $0.hasPrefix("attempts/") || $0 == "pool" }.count, 3)
        XCTAssertFalse(names.contains { $0.hasPrefix("variants/") && ($0.contains("pretrain") || $0.hasSuffix("/pool")) })
        // Selection varies only in `random`; training in both (its data or its block size differ).
        XCTAssertTrue(names.contains("variants/random/select"))
        XCTAssertFalse(names.contains("variants/short/select"))
        let randomTrain = try XCTUnwrap(merged.plan.step(named: "variants/random/train"))
        XCTAssertEqual(randomTrain.inputs["data"], .output(step: "variants/random/select", file: "selected.jsonl"))
        XCTAssertEqual(randomTrain.seedBranch, "train")
        let shortTrain = try XCTUnwrap(merged.plan.step(named: "variants/short/train"))
        XCTAssertEqual(shortTrain.inputs["data"], .output(step: "select", file: "selected.jsonl"))
        XCTAssertEqual(merged.plan.step(named: "variants/short/evaluate/budget/shared")?.inputs["weights"],
                       .output(step: "variants/short/train", file: "model.safetensors"))
        // The comparison reads each configuration's selection, training and metrics.
        let compare = try XCTUnwrap(merged.plan.step(named: "variants"))
        XCTAssertEqual(compare.kind, ExperimentPlanner.Kind.compareVariants)
        XCTAssertEqual(compare.inputs["short/select"], .output(step: "select", file: "summary.json"))
        XCTAssertEqual(compare.inputs["random/metrics"], .output(step: "variants/random/metrics", file: "results.json"))
        XCTAssertEqual(compare.inputs["base/train"], .output(step: "train", file: "training.json"))
        XCTAssertEqual(merged.published["variants.json"], PublishedOutput(step: "variants", file: "variants.json"))
        XCTAssertEqual(merged.published["variants/short/results.json"], PublishedOutput(step: "variants/short/metrics", file: "results.json"))
    }

    func testAVariantThatChangesNothingAddsOnlyTheComparison() throws {
        let same = experiment.replacingOccurrences(of: "train.block_size=64", with: "train.block_size=512")
        let merged = try plan(same)
        XCTAssertFalse(merged.plan.steps.contains { $0.name.hasPrefix("variants/short/") })
        let compare = try XCTUnwrap(merged.plan.step(named: "variants"))
        XCTAssertEqual(compare.inputs["short/metrics"], .output(step: "metrics", file: "results.json"))
        let without = try plan(String(experiment[..<experiment.range(of: "variants:")!.lowerBound]))
        XCTAssertNil(without.plan.step(named: "variants"))
        XCTAssertEqual(Set(merged.plan.steps.map(\.name)).subtracting(without.plan.steps.map(\.name)),
                       Set(["variants", "variants/random/select", "variants/random/train", "variants/random/metrics"])
                        .union(merged.plan.steps.map(\.name).filter { $0.hasPrefix("variants/random/evaluate/") }))
    }
}
