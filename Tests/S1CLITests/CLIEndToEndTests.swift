import Foundation
import XCTest

/// The `s1` binary on small data-only experiments: plan, run, cache, archive, verify, extract, rerun, diff, gc.
final class CLIEndToEndTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try scratchDirectory()
        try Self.dataOnlySpec(poolSize: 400).write(to: directory.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    static func dataOnlySpec(poolSize: Int, selectSize: Int = 100) -> String {
        """
        name: data-only
        seed: 7
        data:
          pool: {tasks: synthetic, size: \(poolSize), test_size: 50}
          select:
            diversity: {size: \(selectSize), variant: paper}
            decontaminate: {ngram: 8, against: [mini-test]}
        model:
          init: {hidden: 32, layers: 1, heads: 2, kv_heads: 1, intermediate: 64, vocab: bytes}
        evaluate:
          benchmarks: [{name: mini-test, split: test, grader: exact}]
          sweeps:
            - {name: budget, forcing: {max_thinking_tokens: [8, 16]}}

        """
    }

    private func s1(_ arguments: String...) throws -> S1Process.Result {
        try S1Process.run(arguments, in: directory)
    }

    private func runIDs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("artifacts/runs").path).sorted()
    }

    func testInvalidSpecReportsEveryErrorWithLocationAndWritesNothing() throws {
        try """
        name: broken
        seed: 1
        train:
          lr: -1
          batch_sise: 16
        """.write(to: directory.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let result = try s1("run", "bad.yaml")
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("bad.yaml:4:7"), result.stderr)
        XCTAssertTrue(result.stderr.contains("train.lr"), result.stderr)
        XCTAssertTrue(result.stderr.contains("batch_size"), "did-you-mean for the misspelt key: \(result.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("artifacts").path),
                       "nothing is written on a spec error")
        let badSet = try s1("plan", "exp.yaml", "--set", "train.lr=fast")
        XCTAssertNotEqual(badSet.status, 0)
        XCTAssertTrue(badSet.stderr.contains("--set"), badSet.stderr)
    }

    func testSecondRunIsCachedAndPlanExplainsAChange() throws {
        let first = try s1("run", "exp.yaml", "--until", "select")
        XCTAssertEqual(first.status, 0, first.combined)
        XCTAssertTrue(first.stdout.contains("2 steps: 2 ran, 0 cached"), first.stdout)
        let second = try s1("run", "exp.yaml", "--until", "select")
        XCTAssertTrue(second.stdout.contains("2 steps: 0 ran, 2 cached"), second.stdout)

        let plan = try s1("plan", "exp.yaml", "--set", "data.select.diversity.size=80")
        XCTAssertEqual(plan.status, 0, plan.combined)
        let lines = plan.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.contains("pool") && $0.contains("cached") }, plan.stdout)
        XCTAssertTrue(lines.contains { $0.contains("select") && $0.contains("parameters.select.diversity.size: 100 → 80") },
                      plan.stdout)

        let explain = try s1("plan", "exp.yaml", "--explain", "--set", "train.lr=2e-5")
        XCTAssertTrue(explain.stdout.contains("train.lr: 2e-05"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("--set"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("train.epochs: 5") && explain.stdout.contains("default"), explain.stdout)
    }

    func testEveryRunCarriesANotebookReport() throws {
        XCTAssertEqual(try s1("run", "exp.yaml", "--until", "select").status, 0)
        let run = directory.appendingPathComponent("artifacts/runs").appendingPathComponent(try XCTUnwrap(try runIDs().first))
        let html = try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Selection funnel"), "the select cell shows its funnel")
        XCTAssertTrue(html.contains("<svg"), "plots are inline SVG")
        for fetch in ["src=\"http", "href=\"http", "url(http", "@import", "<script src"] {
            XCTAssertFalse(html.contains(fetch), "self-contained: nothing fetched from the network (\(fetch))")
        }
        let markdown = try String(contentsOf: run.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("## 1. pool") && markdown.contains("## 2. select"), markdown)
        // The report is covered by the manifest, so a tampered report is caught like any other file.
        let manifest = try String(contentsOf: run.appendingPathComponent("manifest.json"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("\"report.html\""))
    }

    func testOnlyNeedsCachedInputsAndJSONProgressIsParseable() throws {
        let only = try s1("run", "exp.yaml", "--only", "select")
        XCTAssertNotEqual(only.status, 0)
        XCTAssertTrue(only.stderr.contains("pool"), only.stderr)
        XCTAssertEqual(try s1("run", "exp.yaml", "--until", "pool").status, 0)
        let json = try s1("run", "exp.yaml", "--only", "select", "--json")
        XCTAssertEqual(json.status, 0, json.combined)
        let events = try json.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(events.first?["event"] as? String, "step_started")
        XCTAssertEqual(events.last?["event"] as? String, "run_finished")
        XCTAssertTrue(events.contains { $0["event"] as? String == "step_finished" && $0["step"] as? String == "select" })
    }

    func testArchiveIsDeterministicListableAndVerifies() throws {
        XCTAssertEqual(try s1("run", "exp.yaml", "--until", "select").status, 0)
        let first = try s1("archive", "latest", "-o", "one.tar.zst")
        XCTAssertEqual(first.status, 0, first.combined)
        XCTAssertEqual(try s1("archive", "latest", "-o", "two.tar.zst").status, 0)
        let one = try Data(contentsOf: directory.appendingPathComponent("one.tar.zst"))
        let two = try Data(contentsOf: directory.appendingPathComponent("two.tar.zst"))
        XCTAssertEqual(one, two, "archiving the same run twice gives identical bytes")

        let runID = try XCTUnwrap(try runIDs().first)
        let gnu = try S1Process.runTool("/usr/bin/tar", ["--zstd", "-tf", "one.tar.zst"], in: directory)
        XCTAssertEqual(gnu.status, 0, gnu.combined)
        XCTAssertTrue(gnu.stdout.contains("\(runID)/manifest.json"), gnu.stdout)
        let bsd = try S1Process.runTool("/usr/bin/bsdtar", ["-tf", "one.tar.zst"], in: directory)
        XCTAssertEqual(bsd.status, 0, bsd.combined)
        XCTAssertTrue(bsd.stdout.contains("\(runID)/run.json"), bsd.stdout)

        let verify = try s1("verify", "one.tar.zst")
        XCTAssertEqual(verify.status, 0, verify.combined)
        XCTAssertTrue(verify.stdout.contains("run id     \(runID)"), verify.stdout)
    }

    func testVerifyNamesATamperedMember() throws {
        XCTAssertEqual(try s1("run", "exp.yaml", "--until", "select").status, 0)
        XCTAssertEqual(try s1("archive", "latest", "-o", "run.tar.zst").status, 0)
        let runID = try XCTUnwrap(try runIDs().first)
        // Unpack with GNU tar, change one byte of the spec, pack again: the manifest no longer matches.
        let unpacked = directory.appendingPathComponent("unpacked")
        try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
        XCTAssertEqual(try S1Process.runTool("/usr/bin/tar", ["--zstd", "-xf", "../run.tar.zst"], in: unpacked).status, 0)
        let spec = unpacked.appendingPathComponent("\(runID)/spec.yaml")
        var text = try String(contentsOf: spec, encoding: .utf8)
        text = text.replacingOccurrences(of: "seed: 7", with: "seed: 8")
        try text.write(to: spec, atomically: true, encoding: .utf8)
        XCTAssertEqual(try S1Process.runTool("/usr/bin/tar", ["--zstd", "-cf", "../tampered.tar.zst", runID], in: unpacked).status, 0)
        let verify = try s1("verify", "tampered.tar.zst")
        XCTAssertNotEqual(verify.status, 0)
        XCTAssertTrue(verify.stdout.contains("tampered: spec.yaml"), verify.stdout)
        let rerun = try s1("rerun", "tampered.tar.zst")
        XCTAssertNotEqual(rerun.status, 0, "a tampered archive is not restored")
    }

    func testExtractRefusesAPathThatEscapesTheTarget() throws {
        let outside = directory.appendingPathComponent("outside.txt")
        try "secret".write(to: outside, atomically: true, encoding: .utf8)
        let inner = directory.appendingPathComponent("inner")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        // `../outside.txt` as a member name, written by GNU tar from inside `inner`.
        let packed = try S1Process.runTool("/usr/bin/tar", ["--zstd", "-P", "-cf", "../evil.tar.zst", "../outside.txt"], in: inner)
        XCTAssertEqual(packed.status, 0, packed.combined)
        try FileManager.default.removeItem(at: outside)
        let extract = try s1("extract", "evil.tar.zst", "target")
        XCTAssertNotEqual(extract.status, 0)
        XCTAssertTrue(extract.stderr.contains("outside.txt"), extract.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside.path), "nothing is written outside the target")
    }

    func testRerunWithAChangeRerunsOnlyWhatChangedAndRecomputeIsIdentical() throws {
        XCTAssertEqual(try s1("run", "exp.yaml", "--until", "select").status, 0)
        XCTAssertEqual(try s1("archive", "latest", "-o", "run.tar.zst").status, 0)
        // A reviewer's fresh store: everything comes from the archive.
        let changed = try S1Process.run(["rerun", "run.tar.zst", "--set", "data.select.diversity.size=80",
                                         "--store", "review-store"], in: directory)
        XCTAssertEqual(changed.status, 0, changed.combined)
        XCTAssertTrue(changed.stdout.contains("identical pool  (reused)"), changed.stdout)
        XCTAssertTrue(changed.stdout.contains("diverged  select"), changed.stdout)

        let recompute = try S1Process.run(["rerun", "run.tar.zst", "--recompute", "--store", "review-store"], in: directory)
        XCTAssertEqual(recompute.status, 0, recompute.combined)
        XCTAssertTrue(recompute.stdout.contains("identical pool\n"), recompute.stdout)
        XCTAssertTrue(recompute.stdout.contains("identical select\n"), recompute.stdout)
        XCTAssertFalse(recompute.stdout.contains("diverged"), recompute.stdout)
    }

    func testDiffNamesTheSpecChangeAndTheStepWhoseKeyChanged() throws {
        XCTAssertEqual(try s1("run", "exp.yaml", "--until", "select").status, 0)
        let first = try XCTUnwrap(try runIDs().first)
        XCTAssertEqual(try s1("run", "exp.yaml", "--until", "select", "--set", "data.select.diversity.size=80").status, 0)
        let second = try XCTUnwrap(try runIDs().first { $0 != first })
        let diff = try s1("diff", first, second)
        XCTAssertEqual(diff.status, 0, diff.combined)
        XCTAssertTrue(diff.stdout.contains("data.select.diversity.size: 100 → 80"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("pool: same key, outputs identical"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("select: different key"), diff.stdout)
    }

    func testGarbageCollectionKeepsWhatRunsReference() throws {
        XCTAssertEqual(try s1("run", "exp.yaml", "--until", "select").status, 0)
        let objects = directory.appendingPathComponent("artifacts/objects")
        // An object no run references.
        let stray = objects.appendingPathComponent("sha256/00/" + String(repeating: "0", count: 64))
        try FileManager.default.createDirectory(at: stray.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "stray".write(to: stray, atomically: true, encoding: .utf8)
        let gc = try s1("gc")
        XCTAssertEqual(gc.status, 0, gc.combined)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stray.path))
        let again = try s1("run", "exp.yaml", "--until", "select")
        XCTAssertTrue(again.stdout.contains("0 ran, 2 cached"), "referenced results survive gc: \(again.stdout)")
    }
}
