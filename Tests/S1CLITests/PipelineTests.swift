import Foundation
import XCTest

/// The whole s1 pipeline on a miniature of the miniature: every step kind runs, results and the report come out,
/// forced budgets hold, and a second run is fully cached.
final class PipelineTests: XCTestCase {
    /// Every step kind on models small enough to train in seconds.
    static let tinyExperiment = """
        name: tiny
        seed: 5
        data:
          pool: {tasks: synthetic, size: 160, test_size: 6, difficulty: {min: 1, max: 2}}
          select:
            difficulty: {solved_by: [base]}
            diversity: {size: 24, variant: paper}
        base_models:
          - name: base
            init: {hidden: 16, layers: 1, heads: 2, kv_heads: 1, intermediate: 32, vocab: bytes, rope_theta: 10000.0, max_position: 512}
            pretrain: {steps: 3, lr: 1.0e-3, batch_size: 8, direct_answers: true, worked_solutions: true}
        train: {from: base, epochs: 1, batch_size: 8, micro_batch_size: 8, lr: 1.0e-3, block_size: 512, precision: fp32}
        evaluate:
          benchmarks: [{name: t, split: test, grader: exact}]
          max_answer_tokens: 6
          max_thinking_tokens: 24
          sweeps:
            - {name: budget, forcing: {max_thinking_tokens: [4, 8]}}
            - {name: wait, forcing: {ignore_end: [0, 1]}}
            - {name: tcc, prompt_control: {tokens: [4, 8]}}
            - {name: rs, rejection_sampling: {max_thinking_tokens: [8], max_tries: 2}}
            - {name: vote, majority: {samples: [1, 2], model: base}}

        """

    func testTinyExperimentRunsEveryStepKind() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.tinyExperiment.write(to: directory.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
        let first = try S1Process.run(["run", "tiny.yaml", "--quiet"], in: directory)
        XCTAssertEqual(first.status, 0, first.combined)
        XCTAssertTrue(first.stdout.contains("t/budget"), "Table-3 summary printed: \(first.stdout)")
        let runs = directory.appendingPathComponent("artifacts/runs")
        let run = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path).first))
        let results = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("results.json"))) as? [String: Any])
        let methods = try XCTUnwrap(results["methods"] as? [String: Any])
        XCTAssertEqual(Set(methods.keys), ["t/no-forcing", "t/budget", "t/wait", "t/tcc", "t/rs", "t/vote"])
        // The shared sweeps report what sharing decoded against every point alone; the others report no sharing.
        for sweep in ["t/budget", "t/wait"] {
            let method = try XCTUnwrap(methods[sweep] as? [String: Any])
            let shared = try XCTUnwrap(method["decoded_tokens_shared"] as? Int, sweep)
            let separate = try XCTUnwrap(method["decoded_tokens_separate"] as? Int)
            XCTAssertLessThanOrEqual(shared, separate, sweep)
            XCTAssertGreaterThan(shared, 0)
        }
        XCTAssertNil((methods["t/tcc"] as? [String: Any])?["decoded_tokens_shared"] as? Int)
        // Forced budgets hold for every sample.
        let samples = try XCTUnwrap(results["samples"] as? [String: [[String: Any]]])
        for (task, records) in samples where task.hasPrefix("t/budget/") {
            let budget = Int(task.split(separator: "=").last!)!
            XCTAssertEqual(records.count, 6)
            for record in records { XCTAssertLessThanOrEqual(record["thinking_tokens"] as! Int, budget, task) }
        }
        // Majority voting asks the base model for a direct answer (another prompt than the fine-tuned model's) and
        // counts its answer tokens as its compute.
        let voted = try XCTUnwrap(samples["t/vote/samples=1"]?.first { $0["question_id"] as? String == "0" || $0["doc_id"] as? String == "0" })
        let forced = try XCTUnwrap(samples["t/budget/max_thinking_tokens=4"]?.first { $0["question_id"] as? String == "0" || $0["doc_id"] as? String == "0" })
        XCTAssertNotEqual(voted["prompt_hash"] as? String, forced["prompt_hash"] as? String)
        XCTAssertGreaterThan(voted["thinking_tokens"] as? Int ?? 0, 0)
        // The budget and Wait sweeps each decoded one shared chain per question.
        let record = try String(contentsOf: run.appendingPathComponent("run.json"), encoding: .utf8)
        XCTAssertTrue(record.contains("evaluate/budget/shared") && record.contains("evaluate/wait/shared"))
        let html = try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Accuracy vs average thinking tokens") && html.contains("Training loss"))
        // The report says in words whether the best forced budget beats no forcing, from the same numbers.
        let points = try XCTUnwrap(results["results"] as? [String: [String: Any]])
        let accuracy = { (task: String) in (points[task]?["accuracy"] as? NSNumber)?.doubleValue ?? -1 }
        let best = max(accuracy("t/budget/max_thinking_tokens=4"), accuracy("t/budget/max_thinking_tokens=8"))
        let unforced = accuracy("t/no-forcing/no forcing")
        let verb = best > unforced ? "beats" : best == unforced ? "ties" : "falls short of"
        XCTAssertTrue(html.contains(") \(verb) no forcing ("), "expected '\(verb)': best \(best), unforced \(unforced)")
        // The first samples of each point keep their generation as spans; the report shows a forced stop.
        let traced = samples["t/budget/max_thinking_tokens=4"]?.filter { $0["trace"] != nil } ?? []
        XCTAssertEqual(traced.count, 3)
        XCTAssertTrue(html.contains("<mark class=\"seg-forced-answer\""), "a forced Final Answer is highlighted")

        // `make run` archives the run it recorded: the cached rerun records the same run, archived and verifiable.
        let second = try S1Process.run(["run", "tiny.yaml", "--quiet", "--archive", "tiny.tar.zst"], in: directory)
        XCTAssertTrue(second.stdout.contains(" 0 ran,"), second.stdout)
        XCTAssertTrue(second.stdout.contains("archive: ") && second.stdout.contains("tiny.tar.zst"), second.stdout)
        let verified = try S1Process.run(["verify", "tiny.tar.zst"], in: directory)
        XCTAssertEqual(verified.status, 0, verified.combined)
        // The archive holds the run this command recorded (its record says every step was cached: a run of its own).
        let secondRun = try XCTUnwrap(second.stdout.split(separator: "\n").first { $0.hasPrefix("run ") }?.split(separator: " ")[1])
        XCTAssertTrue(verified.stdout.contains("run id     \(secondRun)") && verified.stdout.contains("OK:"), verified.stdout)
        let refused = try S1Process.run(["run", "tiny.yaml", "--until", "select", "--archive", "x.tar.zst"], in: directory)
        XCTAssertNotEqual(refused.status, 0)
    }

    /// An experiment with variants: each shared step runs once, varied ones run under `variants/<name>/`, and the
    /// comparison lands in `variants.json`, the report and `s1 show`.
    func testVariantsRunTheirOwnStepsOnceAndAreCompared() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        name: tiny-variants
        seed: 5
        data:
          pool: {tasks: synthetic, size: 120, test_size: 4, difficulty: {min: 1, max: 2}}
          select:
            difficulty: {solved_by: [base]}
            diversity: {size: 16, variant: paper}
        base_models:
          - name: base
            init: {hidden: 16, layers: 1, heads: 2, kv_heads: 1, intermediate: 32, vocab: bytes, rope_theta: 10000.0, max_position: 512}
            pretrain: {steps: 2, lr: 1.0e-3, batch_size: 8, direct_answers: true, worked_solutions: true}
        train: {from: base, epochs: 1, batch_size: 8, micro_batch_size: 8, lr: 1.0e-3, block_size: 512, precision: fp32}
        evaluate:
          benchmarks: [{name: t, split: test, grader: exact}]
          max_answer_tokens: 4
          max_thinking_tokens: 8
          sweeps: [{name: budget, forcing: {max_thinking_tokens: [4, 8]}}]
        variants:
          - {name: random, set: ["data.select.diversity.variant=random"]}
          - {name: short-block, set: ["train.block_size=48"]}

        """.write(to: directory.appendingPathComponent("v.yaml"), atomically: true, encoding: .utf8)
        let first = try S1Process.run(["run", "v.yaml", "--quiet"], in: directory)
        XCTAssertEqual(first.status, 0, first.combined)
        let runs = directory.appendingPathComponent("artifacts/runs")
        let run = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path).first))
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("run.json"))) as? [String: Any])
        let steps = try XCTUnwrap(record["steps"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        XCTAssertEqual(steps.filter { $0.hasSuffix("pretrain/base") }, ["pretrain/base"], "the base model is pretrained once")
        XCTAssertTrue(steps.contains("variants/random/select") && steps.contains("variants/short-block/train"))
        XCTAssertFalse(steps.contains("variants/short-block/select"), "a block size does not change the selection")
        let comparison = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("variants.json"))) as? [String: Any])
        let rows = try XCTUnwrap(comparison["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["variant"] as? String }, ["base", "random", "short-block"])
        func cut(_ row: [String: Any]) -> Int? { (row["truncation"] as? [String: Any])?["samplesCut"] as? Int }
        XCTAssertEqual(cut(rows[0]), 0)
        XCTAssertEqual(cut(rows[2]), 16, "a 48-token block cuts every chat-formatted sample")
        for row in rows {
            XCTAssertNotNil((row["methods"] as? [String: Any])?["t/budget"], "\(row)")
            XCTAssertNotNil((row["unforced"] as? [String: Any])?["t"], "\(row)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent("variants/random/results.json").path))
        let html = try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Variants side by side"))
        let shown = try S1Process.run(["show", "latest"], in: directory)
        XCTAssertTrue(shown.stdout.contains("short-block") && shown.stdout.contains("train.block_size=48"), shown.stdout)
        let second = try S1Process.run(["run", "v.yaml", "--quiet"], in: directory)
        XCTAssertTrue(second.stdout.contains(" 0 ran,"), second.stdout)
    }
}
