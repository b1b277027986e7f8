import Foundation
import XCTest

/// An s1K-style JSONL pool and a JSONL benchmark, as a user converting the public data would have them.
final class RealDataTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try scratchDirectory()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        let pool = (0..<30).map { i in
            """
            {"question": "What is \(i) plus \(i + 1)? Give the sum of the two numbers here.", "solution": "\(2 * i + 1)", "cot_type": "math", "source_type": "\(["arith", "algebra", "counting"][i % 3])", "metadata": "", "thinking_trajectories": ["\(i)+\(i + 1)=\(2 * i + 1)"], "attempt": "Answer: \(2 * i + 1)"}
            """
        }
        try pool.joined(separator: "\n").write(to: directory.appendingPathComponent("data/pool.jsonl"), atomically: true, encoding: .utf8)
        try """
        {"question": "What is 100 plus 101?", "solution": "201"}
        {"question": "Pick the even number.", "options": ["3", "4", "5", "7"], "solution": "B"}
        """.write(to: directory.appendingPathComponent("data/bench.jsonl"), atomically: true, encoding: .utf8)
        try """
        name: real-data
        seed: 3
        data:
          pool: {jsonl: data/pool.jsonl}
          select:
            diversity: {size: 12, variant: paper}
            decontaminate: {ngram: 4, against: [bench]}
        model:
          init: {hidden: 32, layers: 1, heads: 2, kv_heads: 1, intermediate: 64, vocab: bytes}
        evaluate:
          benchmarks: [{name: bench, jsonl: data/bench.jsonl, grader: integer}]
          sweeps:
            - {name: budget, forcing: {max_thinking_tokens: [8]}}

        """.write(to: directory.appendingPathComponent("real.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testImportsThePoolAndBenchmarkAndArchivesTheInputs() throws {
        let run = try S1Process.run(["run", "real.yaml", "--until", "select"], in: directory)
        XCTAssertEqual(run.status, 0, run.combined)
        XCTAssertTrue(run.stdout.contains("3 steps: 3 ran"), run.stdout)
        let show = try S1Process.run(["show", "latest", "--json"], in: directory)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let record = try XCTUnwrap(object["run"] as? [String: Any])
        let inputs = try XCTUnwrap(record["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.compactMap { $0["path"] as? String }, ["data/bench.jsonl", "data/pool.jsonl"])
        XCTAssertEqual(inputs.compactMap { $0["included"] as? Bool }, [true, true])

        // Digest-only archives pin the inputs without carrying their bytes.
        XCTAssertEqual(try S1Process.run(["archive", "latest", "-o", "full.tar.zst"], in: directory).status, 0)
        let slim = try S1Process.run(["archive", "latest", "-o", "slim.tar.zst", "--inputs", "digest-only"], in: directory)
        XCTAssertEqual(slim.status, 0, slim.combined)
        XCTAssertEqual(try S1Process.run(["verify", "slim.tar.zst"], in: directory).status, 0)
        let full = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("full.tar.zst").path)
        let small = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("slim.tar.zst").path)
        XCTAssertLessThan((small[.size] as? Int) ?? 0, (full[.size] as? Int) ?? 0)

        // Editing the pool file reruns the import and everything after it.
        var text = try String(contentsOf: directory.appendingPathComponent("data/pool.jsonl"), encoding: .utf8)
        text = text.replacingOccurrences(of: "Give the sum", with: "Give the total")
        try text.write(to: directory.appendingPathComponent("data/pool.jsonl"), atomically: true, encoding: .utf8)
        let plan = try S1Process.run(["plan", "real.yaml"], in: directory)
        XCTAssertTrue(plan.stdout.contains("inputs.pool: \"sha256:"), plan.stdout)
    }

    func testAMalformedPoolLineIsNamed() throws {
        try "{\"question\": \"Q\", \"thinking_trajectories\": \"not a list\", \"attempt\": \"1\"}\n"
            .write(to: directory.appendingPathComponent("data/pool.jsonl"), atomically: true, encoding: .utf8)
        let run = try S1Process.run(["run", "real.yaml", "--until", "pool"], in: directory)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("data/pool.jsonl:1"), run.stderr)
        XCTAssertTrue(run.stderr.contains("thinking_trajectories"), run.stderr)
    }

    /// Selection counts trace tokens with the fine-tuned checkpoint's tokenizer.json, not in bytes.
    func testTraceLengthsCountTheCheckpointTokenizersTokens() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../S1EngineTests/Fixtures/tokenizer-bpe/tokenizer.json").standardizedFileURL
        let checkpoint = directory.appendingPathComponent("ckpt")
        try FileManager.default.createDirectory(at: checkpoint, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtures, to: checkpoint.appendingPathComponent("tokenizer.json"))
        let trace = "Adding the two numbers together gives the total of the numbers here."
        let pool = (0..<20).map { i in
            "{\"question\": \"What is \(i) plus \(i)?\", \"solution\": \"\(2 * i)\", \"cot_type\": \"math\", \"source_type\": \"arith\", \"metadata\": \"\", \"thinking_trajectories\": [\"\(trace)\"], \"attempt\": \"Answer: \(2 * i)\"}"
        }
        try pool.joined(separator: "\n").write(to: directory.appendingPathComponent("data/pool.jsonl"), atomically: true, encoding: .utf8)
        let yaml = try String(contentsOf: directory.appendingPathComponent("real.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  init: {hidden: 32, layers: 1, heads: 2, kv_heads: 1, intermediate: 64, vocab: bytes}", with: "  checkpoint: ckpt")
        try yaml.write(to: directory.appendingPathComponent("ckpt.yaml"), atomically: true, encoding: .utf8)
        let run = try S1Process.run(["run", "ckpt.yaml", "--until", "select"], in: directory)
        XCTAssertEqual(run.status, 0, run.combined)
        let show = try S1Process.run(["show", "latest", "--json"], in: directory)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let steps = try XCTUnwrap((object["run"] as? [String: Any])?["steps"] as? [[String: Any]])
        let select = try XCTUnwrap(steps.first { $0["name"] as? String == "select" })
        let outputs = try XCTUnwrap(select["outputs"] as? [[String: Any]])
        let digest = try XCTUnwrap(outputs.first { $0["path"] as? String == "summary.json" }?["digest"] as? String)
        let hex = String(digest.dropFirst("sha256:".count))
        let summaryURL = directory.appendingPathComponent("artifacts/objects/sha256/\(hex.prefix(2))/\(hex)")
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: summaryURL)) as? [String: Any])
        let tokens = try XCTUnwrap((summary["traceTokens"] as? [String: Any])?["max"] as? Int)
        XCTAssertGreaterThan(tokens, 0)
        XCTAssertLessThan(tokens, trace.utf8.count, "BPE merges make fewer tokens than the trace's \(trace.utf8.count) bytes")
    }
}
