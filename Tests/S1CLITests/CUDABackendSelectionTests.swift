import Foundation
import XCTest

/// `backend: cuda` runs or refuses cleanly. Without the CUDA driver (CI): planning works, the first model step
/// fails with an error naming the missing library and every path searched, and no failed step is cached. With a
/// driver: the same experiment runs to the end on the GPU.
final class CUDABackendSelectionTests: XCTestCase {
    func testCudaRunsOrNamesTheMissingDriverAndCachesNothingFailed() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("no-cuda")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let environment = ["S1_CUDA_LIBRARY_PATH": empty.path]
        let hasDriver = try S1Process.run(["cuda", "info"], in: directory, environment: environment).status == 0
        try """
        name: tiny-cuda
        seed: 5
        backend: cuda
        data:
          pool: {tasks: synthetic, size: 40, test_size: 4, difficulty: {min: 1, max: 2}}
          select: {diversity: {size: 8, variant: paper}}
        base_models:
          - name: base
            init: {hidden: 16, layers: 1, heads: 2, kv_heads: 1, intermediate: 32, vocab: bytes, rope_theta: 10000.0, max_position: 256}
            pretrain: {steps: 2, lr: 1.0e-3, batch_size: 4, direct_answers: true, worked_solutions: true}
        train: {from: base, epochs: 1, batch_size: 4, micro_batch_size: 4, lr: 1.0e-3, block_size: 256}
        evaluate:
          benchmarks: [{name: t, split: test, grader: exact}]
          max_answer_tokens: 4
          max_thinking_tokens: 16
          sweeps: [{name: budget, forcing: {max_thinking_tokens: [4]}}]

        """.write(to: directory.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
        let plan = try S1Process.run(["plan", "tiny.yaml"], in: directory, environment: environment)
        XCTAssertEqual(plan.status, 0, plan.combined)
        let run = try S1Process.run(["run", "tiny.yaml", "--quiet"], in: directory, environment: environment)
        if hasDriver {
            XCTAssertEqual(run.status, 0, run.combined)
            let again = try S1Process.run(["run", "tiny.yaml", "--quiet"], in: directory, environment: environment)
            XCTAssertTrue(again.stdout.contains(" 0 ran,"), "a second run is fully cached: \(again.stdout)")
            return
        }
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.combined.contains("libcuda.so.1 not found"), run.combined)
        XCTAssertTrue(run.combined.contains(empty.appendingPathComponent("libcuda.so.1").path), "names the searched path: \(run.combined)")
        // The data step before it completed and is reused; the failed pretraining step is not recorded.
        let again = try S1Process.run(["plan", "tiny.yaml"], in: directory, environment: environment)
        let lines = again.stdout.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.contains("pool") && $0.contains("cached") }, again.stdout)
        XCTAssertTrue(lines.contains { $0.contains("pretrain/base") && $0.contains("will run") }, again.stdout)
    }
}
