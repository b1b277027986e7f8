import Foundation
import XCTest

/// The same YAML gives the same bytes whatever the thread count, and a CPU without the reference instruction set
/// is refused with a sentence, not SIGILL.
final class ReproducibilityTests: XCTestCase {
    /// Step name → key and output digests, from a run's run.json.
    func steps(ofOnlyRunIn directory: URL) throws -> (steps: [String: [String]], environment: [String: Any]) {
        let runs = directory.appendingPathComponent("artifacts/runs")
        let ids = try FileManager.default.contentsOfDirectory(atPath: runs.path)
        XCTAssertEqual(ids.count, 1)
        let run = runs.appendingPathComponent(try XCTUnwrap(ids.first))
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("run.json"))) as? [String: Any])
        var steps: [String: [String]] = [:]
        for step in try XCTUnwrap(record["steps"] as? [[String: Any]]) {
            let outputs = try XCTUnwrap(step["outputs"] as? [[String: Any]])
            steps[try XCTUnwrap(step["name"] as? String)] = [try XCTUnwrap(step["key"] as? String)]
                + outputs.map { "\($0["path"]!)=\($0["digest"]!)" }.sorted()
        }
        let environment = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("environment.json"))) as? [String: Any])
        return (steps, environment)
    }

    func testTinyPipelineGivesTheSameKeysAndBytesAtOneAndFourThreads() throws {
        var results: [(steps: [String: [String]], environment: [String: Any])] = []
        // One through the flag, one through the environment variable.
        for (arguments, environment) in [(["--threads", "1"], [String: String]()), ([], ["S1_THREADS": "4"])] {
            let directory = try scratchDirectory("threads\(results.count)")
            defer { try? FileManager.default.removeItem(at: directory) }
            try PipelineTests.tinyExperiment.write(to: directory.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
            let run = try S1Process.run(["run", "tiny.yaml", "--quiet"] + arguments, in: directory, environment: environment)
            XCTAssertEqual(run.status, 0, run.combined)
            results.append(try steps(ofOnlyRunIn: directory))
        }
        XCTAssertGreaterThan(results[0].steps.count, 8)
        XCTAssertEqual(results[0].steps, results[1].steps, "step keys or outputs depend on the thread count")
        // The thread count is recorded, not keyed.
        let recorded = results.map { "\($0.environment)" }
        XCTAssertTrue(recorded[0].contains("engine_threads") && recorded[0] != recorded[1], recorded.joined(separator: "\n"))
    }

    func testInvalidThreadCountIsRefusedBeforeAnythingRuns() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try PipelineTests.tinyExperiment.write(to: directory.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
        let flag = try S1Process.run(["run", "tiny.yaml", "--threads", "0"], in: directory)
        XCTAssertNotEqual(flag.status, 0)
        XCTAssertTrue(flag.stderr.contains("--threads 0"), flag.combined)
        let variable = try S1Process.run(["plan", "tiny.yaml"], in: directory, environment: ["S1_THREADS": "lots"])
        XCTAssertNotEqual(variable.status, 0)
        XCTAssertTrue(variable.stderr.contains("S1_THREADS is 'lots'"), variable.combined)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("artifacts/runs").path))
    }

    #if arch(x86_64)
    /// Under qemu's user-mode emulation of CPUs before x86-64-v3 (Nehalem: no AVX; Sandy Bridge: AVX but no AVX2
    /// or FMA), s1 stops before any Swift code runs, naming what is missing; on Haswell it runs.
    func testCPUWithoutTheReferenceInstructionSetIsRefusedWithASentence() throws {
        let qemu = "/usr/bin/qemu-x86_64"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: qemu), "make test installs qemu-user for this test")
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for cpu in ["Nehalem", "SandyBridge"] {
            let refused = try S1Process.runTool(qemu, ["-cpu", cpu, S1Process.binary.path, "--help"], in: directory)
            XCTAssertEqual(refused.status, 70, "\(cpu): \(refused.combined)")
            XCTAssertTrue(refused.stderr.contains("this CPU lacks") && refused.stderr.contains("x86-64-v3"), refused.combined)
            XCTAssertEqual(refused.stdout, "", "nothing else ran")
        }
        let runs = try S1Process.runTool(qemu, ["-cpu", "Haswell", S1Process.binary.path, "--help"], in: directory)
        XCTAssertEqual(runs.status, 0, runs.combined)
        XCTAssertTrue(runs.stdout.contains("USAGE"), runs.stdout)
    }
    #endif
}
