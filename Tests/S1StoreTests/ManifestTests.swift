import Foundation
import S1Store
import XCTest

/// A small run directory as the Runner lays it out: files, nested folders, an executable, an empty file,
/// a long and a non-ASCII name, and `manifest.json` listing all of them. Returns the run id.
@discardableResult
func makeRunDirectory(_ dir: URL) throws -> String {
    try writeFile(dir.appendingPathComponent("spec.resolved.json"), #"{"name":"mini","seed":42}"#)
    try writeFile(dir.appendingPathComponent("outputs/metrics.json"), #"{"accuracy":0.5}"#)
    try writeFile(dir.appendingPathComponent("outputs/samples.jsonl"), "ORIGINAL-CONTENT-0123456789\n")
    try writeFile(dir.appendingPathComponent("steps/train/log.txt"), "step 1 loss 2.5\n")
    try writeFile(dir.appendingPathComponent("steps/train/run.sh"), "#!/bin/sh\necho hi\n", mode: 0o775)
    try writeFile(dir.appendingPathComponent("steps/empty.txt"), "")
    let longName = String(repeating: "long-directory-name/", count: 6) + String(repeating: "x", count: 90) + ".txt"
    try writeFile(dir.appendingPathComponent(longName), "long path\n")
    try writeFile(dir.appendingPathComponent("données/résumé.txt"), "unicode\n")
    let manifest = try Manifest.build(directory: dir)
    try manifest.write(to: dir.appendingPathComponent(Manifest.fileName))
    return Manifest.runID(manifestBytes: try Data(contentsOf: dir.appendingPathComponent(Manifest.fileName)))
}

final class ManifestTests: XCTestCase {
    func testBuildListsEveryFileSortedWithDigestSizeMode() throws {
        let dir = try makeTemporaryDirectory(self)
        try makeRunDirectory(dir)
        let manifest = try Manifest.read(from: dir.appendingPathComponent(Manifest.fileName))
        let paths = manifest.entries.map(\.path)
        XCTAssertEqual(paths, paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        XCTAssertFalse(paths.contains(Manifest.fileName))
        XCTAssertEqual(paths.count, 8)
        let script = try XCTUnwrap(manifest.entries.first { $0.path == "steps/train/run.sh" })
        XCTAssertEqual(script.mode, 0o755)
        XCTAssertEqual(script.size, Int64("#!/bin/sh\necho hi\n".utf8.count))
        XCTAssertEqual(script.sha256, ContentHasher.digest(of: Data("#!/bin/sh\necho hi\n".utf8)))
        XCTAssertEqual(manifest.entries.first { $0.path == "outputs/metrics.json" }?.mode, 0o644)
        XCTAssertTrue(paths.contains("données/résumé.txt"))
    }

    func testStatCacheGivesTheSameManifest() throws {
        let dir = try makeTemporaryDirectory(self)
        let run = dir.appendingPathComponent("run")
        try makeRunDirectory(run)
        let cache = StatCache(storeRoot: dir.appendingPathComponent("store"))
        let plain = try Manifest.build(directory: run)
        XCTAssertEqual(try Manifest.build(directory: run, statCache: cache), plain)
        XCTAssertEqual(try Manifest.build(directory: run, statCache: cache), plain)
        XCTAssertEqual(cache.misses, plain.entries.count)
        XCTAssertEqual(cache.hits, plain.entries.count)
    }

    func testEncodingIsStableAndDocumented() throws {
        let a = ContentHasher.digest(of: Data("a".utf8))
        let manifest = Manifest(entries: [
            .init(path: "b/x", sha256: a, size: 1, mode: 0o755), .init(path: "a", sha256: a, size: 1, mode: 0o644),
        ])
        let expected = """
            {"entries":[
            {"mode":"0644","path":"a","sha256":"\(a)","size":1},
            {"mode":"0755","path":"b/x","sha256":"\(a)","size":1}
            ],"version":1}

            """
        XCTAssertEqual(String(decoding: try manifest.encoded(), as: UTF8.self), expected)
        XCTAssertEqual(try Manifest.decode(try manifest.encoded(), source: "m"), manifest)
        XCTAssertEqual(Manifest.runID(manifestBytes: try manifest.encoded()),
                       String(ContentHasher.digest(of: try manifest.encoded()).hex.prefix(20)))
    }

    func testVerifyNamesTamperedMissingExtra() throws {
        let dir = try makeTemporaryDirectory(self)
        try makeRunDirectory(dir)
        let manifest = try Manifest.read(from: dir.appendingPathComponent(Manifest.fileName))
        XCTAssertEqual(try manifest.verify(directory: dir), [])

        try writeFile(dir.appendingPathComponent("outputs/metrics.json"), #"{"accuracy":0.9}"#)  // same size
        try FileManager.default.removeItem(at: dir.appendingPathComponent("steps/train/log.txt"))
        try writeFile(dir.appendingPathComponent("outputs/extra.bin"), "x")
        chmod(dir.appendingPathComponent("steps/empty.txt").path, 0o755)
        let problems = try manifest.verify(directory: dir)
        XCTAssertEqual(problems.map(\.path), ["outputs/extra.bin", "outputs/metrics.json", "steps/empty.txt", "steps/train/log.txt"])
        XCTAssertEqual(problems[0], .extra(path: "outputs/extra.bin"))
        guard case .tampered(_, let reason) = problems[1] else { return XCTFail("\(problems[1])") }
        XCTAssertTrue(reason.contains("expected"), reason)
        XCTAssertFalse(reason.contains("size"), reason)
        guard case .tampered(_, let modeReason) = problems[2] else { return XCTFail("\(problems[2])") }
        XCTAssertTrue(modeReason.contains("mode 0644 expected, 0755 found"), modeReason)
        XCTAssertEqual(problems[3], .missing(path: "steps/train/log.txt"))
    }

    func testSymlinksAndBadManifestsAreRejected() throws {
        let dir = try makeTemporaryDirectory(self)
        try writeFile(dir.appendingPathComponent("a.txt"), "a")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link").path, withDestinationPath: "/etc/passwd")
        XCTAssertThrowsError(try Manifest.build(directory: dir)) { error in
            XCTAssertEqual((error as? UnsupportedFileError)?.kind, "symbolic link")
        }
        let digest = ContentHasher.digest(of: Data())
        for (json, fragment) in [
            (#"{"entries":[{"mode":"0644","path":"../x","sha256":"\#(digest)","size":0}],"version":1}"#, "../x"),
            (#"{"entries":[{"mode":"0600","path":"x","sha256":"\#(digest)","size":0}],"version":1}"#, "0600"),
            (#"{"entries":[],"version":2}"#, "version 1"),
            (#"{"entries":[{"mode":"0644","path":"x","sha256":"sha256:00","size":0}],"version":1}"#, "sha256:00"),
        ] {
            XCTAssertThrowsError(try Manifest.decode(Data(json.utf8), source: "runs/r/manifest.json")) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("runs/r/manifest.json: invalid manifest"), text)
                XCTAssertTrue(text.contains(fragment), text)
            }
        }
    }
}
