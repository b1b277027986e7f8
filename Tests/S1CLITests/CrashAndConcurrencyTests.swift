import Foundation
import XCTest

/// A run killed with SIGKILL mid-step, and two runs on one store at once, must both leave a consistent store.
final class CrashAndConcurrencyTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try scratchDirectory()
        // Large enough that generating the pool takes a noticeable fraction of a second.
        try CLIEndToEndTests.dataOnlySpec(poolSize: 12_000, selectSize: 200)
            .write(to: directory.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Output digests of the latest run, by step.
    private func outputs(store: String) throws -> [String: [String]] {
        let show = try S1Process.run(["show", "latest", "--json", "--store", store], in: directory)
        XCTAssertEqual(show.status, 0, show.combined)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let run = try XCTUnwrap(object["run"] as? [String: Any])
        let steps = try XCTUnwrap(run["steps"] as? [[String: Any]])
        var result: [String: [String]] = [:]
        for step in steps {
            let files = step["outputs"] as? [[String: Any]] ?? []
            result[step["name"] as? String ?? ""] = files.compactMap { $0["digest"] as? String }
        }
        return result
    }

    func testKillMidStepThenResumeGivesTheUninterruptedDigests() throws {
        let reference = try S1Process.run(["run", "exp.yaml", "--until", "select", "--store", "reference"], in: directory)
        XCTAssertEqual(reference.status, 0, reference.combined)

        // Kill at several moments: during pool generation, and later; each time the next run must complete.
        for delay in [0.05, 0.2, 0.4] {
            let store = "killed-\(Int(delay * 100))"
            let victim = try S1Process.launch(["run", "exp.yaml", "--until", "select", "--store", store], in: directory)
            Thread.sleep(forTimeInterval: delay)
            kill(victim.processIdentifier, SIGKILL)
            victim.waitUntilExit()
            let resumed = try S1Process.run(["run", "exp.yaml", "--until", "select", "--store", store], in: directory)
            XCTAssertEqual(resumed.status, 0, "resume after kill at \(delay)s: \(resumed.combined)")
            XCTAssertEqual(try outputs(store: store), try outputs(store: "reference"), "kill at \(delay)s")
        }
    }

    func testTwoConcurrentRunsOnOneStoreBothSucceedAndAgree() throws {
        let first = try S1Process.launch(["run", "exp.yaml", "--until", "select", "--quiet"], in: directory)
        let second = try S1Process.launch(["run", "exp.yaml", "--until", "select", "--quiet"], in: directory)
        first.waitUntilExit()
        second.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(second.terminationStatus, 0)
        // One of them ran the steps, the other found them cached; the store holds one complete result per step.
        let again = try S1Process.run(["run", "exp.yaml", "--until", "select"], in: directory)
        XCTAssertTrue(again.stdout.contains("0 ran, 2 cached"), again.stdout)
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("artifacts/runs").path)
        for run in runs {
            let archive = "\(run).tar.zst"
            XCTAssertEqual(try S1Process.run(["archive", run, "-o", archive], in: directory).status, 0)
            let verify = try S1Process.run(["verify", archive], in: directory)
            XCTAssertEqual(verify.status, 0, verify.combined)
        }
    }
}
