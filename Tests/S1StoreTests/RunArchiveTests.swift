import Foundation
import S1Store
import XCTest

final class RunArchiveTests: XCTestCase {
    /// Archiving twice, and archiving a copy at another path, gives identical compressed bytes and ids.
    func testArchiveIsByteIdenticalAcrossRunsAndPaths() throws {
        let base = try makeTemporaryDirectory(self)
        let run = base.appendingPathComponent("first/run")
        let runID = try makeRunDirectory(run)
        let copy = base.appendingPathComponent("elsewhere/deeper/copy")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        XCTAssertEqual(try runCommand(["cp", "-a", run.path, copy.path]).status, 0)
        // Different mtimes and permissions beyond the exec bit must not matter either.
        var times = [timespec(tv_sec: 12345, tv_nsec: 678), timespec(tv_sec: 12345, tv_nsec: 678)]
        utimensat(AT_FDCWD, copy.appendingPathComponent("outputs/metrics.json").path, &times, 0)
        chmod(copy.appendingPathComponent("outputs/metrics.json").path, 0o600)
        chmod(copy.appendingPathComponent("steps/train/run.sh").path, 0o700)

        let a = base.appendingPathComponent("a.tar.zst")
        let b = base.appendingPathComponent("b.tar.zst")
        let c = base.appendingPathComponent("c.tar.zst")
        let idA = try RunArchive.write(directory: run, rootName: runID, to: a)
        let idB = try RunArchive.write(directory: run, rootName: runID, to: b)
        let idC = try RunArchive.write(directory: copy, rootName: runID, to: c)
        XCTAssertEqual(idA, idB)
        XCTAssertEqual(idA, idC)
        let bytesA = try Data(contentsOf: a)
        XCTAssertEqual(bytesA, try Data(contentsOf: b))
        XCTAssertEqual(bytesA, try Data(contentsOf: c))
        XCTAssertEqual(try RunArchive.identity(of: a), idA)
        // The identity is the hash of the uncompressed stream, as zstd(1) decompresses it.
        let tar = base.appendingPathComponent("a.tar")
        XCTAssertEqual(try runCommand(["zstd", "-q", "-d", a.path, "-o", tar.path]).status, 0)
        XCTAssertEqual(try ContentHasher.digest(ofFile: tar.path), idA)
        XCTAssertEqual(try RunArchive.identity(of: tar), idA)
        // Only archive files in the output folder: no temp file left.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base.path).filter { $0.hasPrefix(".") }, [])

        // SOURCE_DATE_EPOCH changes mtimes (and so the stream), deterministically.
        let d = base.appendingPathComponent("d.tar.zst")
        let idD = try RunArchive.write(directory: run, rootName: runID, to: d, sourceDateEpoch: 1_700_000_000)
        XCTAssertNotEqual(idD, idA)
        XCTAssertEqual(try RunArchive.write(directory: copy, rootName: runID, to: d, sourceDateEpoch: 1_700_000_000), idD)
        XCTAssertTrue(try RunArchive.members(of: d).allSatisfy { $0.modificationTime == 1_700_000_000 })
    }

    func testHeadersAreNormalisedAndSorted() throws {
        let base = try makeTemporaryDirectory(self)
        let run = base.appendingPathComponent("run")
        let runID = try makeRunDirectory(run)
        let archive = base.appendingPathComponent("run.tar.zst")
        try RunArchive.write(directory: run, rootName: runID, to: archive)
        let members = try RunArchive.members(of: archive)
        let names = members.map(\.normalizedPath)
        XCTAssertEqual(names.first, runID)
        XCTAssertEqual(names, names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        XCTAssertTrue(names.contains("\(runID)/steps/train"))  // directories are explicit
        XCTAssertTrue(names.contains("\(runID)/données/résumé.txt"))
        XCTAssertTrue(names.contains { $0.hasSuffix(String(repeating: "x", count: 90) + ".txt") })
        for member in members {
            XCTAssertEqual(member.modificationTime, 0, member.path)
            XCTAssertEqual(member.uid, 0)
            XCTAssertEqual(member.gid, 0)
            switch member.kind {
            case .directory: XCTAssertEqual(member.mode, 0o755, member.path)
            case .file: XCTAssertTrue(member.mode == 0o644 || member.mode == 0o755, member.path)
            default: XCTFail("unexpected \(member.kind) \(member.path)")
            }
        }
        XCTAssertEqual(members.first { $0.path.hasSuffix("run.sh") }?.mode, 0o755)
    }

    /// GNU tar (through zstd) and bsdtar both list the archive, with the same member names.
    func testGNUTarAndBsdtarListIt() throws {
        let base = try makeTemporaryDirectory(self)
        let run = base.appendingPathComponent("run")
        let runID = try makeRunDirectory(run)
        let archive = base.appendingPathComponent("run.tar.zst")
        try RunArchive.write(directory: run, rootName: runID, to: archive)
        let expected = try RunArchive.members(of: archive).map(\.normalizedPath)

        let gnu = try runCommand(["LC_ALL=C.UTF-8", "tar", "--zstd", "-tf", archive.path])
        XCTAssertEqual(gnu.status, 0, gnu.stderr)
        XCTAssertEqual(gnu.stderr, "")
        let bsd = try runCommand(["LC_ALL=C.UTF-8", "bsdtar", "-tf", archive.path])
        XCTAssertEqual(bsd.status, 0, bsd.stderr)
        for listing in [gnu.stdout, bsd.stdout] {
            let names = listing.split(separator: "\n").map { $0.hasSuffix("/") ? String($0.dropLast()) : String($0) }
            XCTAssertEqual(names, expected)
        }
        // GNU tar also extracts it to the same bytes.
        let out = base.appendingPathComponent("gnu-out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        XCTAssertEqual(try runCommand(["tar", "--zstd", "-xf", archive.path, "-C", out.path]).status, 0)
        let manifest = try Manifest.read(from: run.appendingPathComponent(Manifest.fileName))
        XCTAssertEqual(try manifest.verify(directory: out.appendingPathComponent(runID)), [])
    }

    func testWriteRunUsesRunIDAndRefusesChangedRuns() throws {
        let base = try makeTemporaryDirectory(self)
        let run = base.appendingPathComponent("run")
        let runID = try makeRunDirectory(run)
        let archive = base.appendingPathComponent("run.tar.zst")
        let written = try RunArchive.writeRun(directory: run, to: archive)
        XCTAssertEqual(written.runID, runID)
        XCTAssertEqual(written.archiveID, try RunArchive.verify(archive).archiveID)
        XCTAssertEqual(try RunArchive.members(of: archive).first?.normalizedPath, runID)

        try writeFile(run.appendingPathComponent("outputs/late.txt"), "added after recording")
        let refused = base.appendingPathComponent("refused.tar.zst")
        XCTAssertThrowsError(try RunArchive.writeRun(directory: run, to: refused)) {
            XCTAssertEqual($0 as? RunDirectoryError,
                           .doesNotMatchManifest(directory: run.path, problems: [.extra(path: "outputs/late.txt")]))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: refused.path))
    }

    func testVerifyAcceptsIntactArchive() throws {
        let base = try makeTemporaryDirectory(self)
        let run = base.appendingPathComponent("run")
        let runID = try makeRunDirectory(run)
        let archive = base.appendingPathComponent("run.tar.zst")
        let identity = try RunArchive.write(directory: run, rootName: runID, to: archive)
        let result = try RunArchive.verify(archive)
        XCTAssertEqual(result.problems, [])
        XCTAssertTrue(result.isValid)
        XCTAssertEqual(result.rootName, runID)
        XCTAssertEqual(result.runID, runID)
        XCTAssertEqual(result.archiveID, identity)
        XCTAssertEqual(result.memberCount, try RunArchive.members(of: archive).count)
    }

    /// Bytes of one member changed inside an uncompressed copy: verify names that member.
    func testTamperedMemberBytesAreNamed() throws {
        let base = try makeTemporaryDirectory(self)
        let run = base.appendingPathComponent("run")
        let runID = try makeRunDirectory(run)
        let archive = base.appendingPathComponent("run.tar.zst")
        let identity = try RunArchive.write(directory: run, rootName: runID, to: archive)
        let tar = base.appendingPathComponent("run.tar")
        XCTAssertEqual(try runCommand(["zstd", "-q", "-d", archive.path, "-o", tar.path]).status, 0)
        var bytes = try Data(contentsOf: tar)
        let original = Data("ORIGINAL-CONTENT".utf8)
        let range = try XCTUnwrap(bytes.range(of: original))
        bytes.replaceSubrange(range, with: Data("TAMPERED-CONTENT".utf8))
        try bytes.write(to: tar)

        let result = try RunArchive.verify(tar)
        XCTAssertFalse(result.isValid)
        XCTAssertEqual(result.problems.count, 1)
        guard case .tampered(let path, let reason)? = result.problems.first else { return XCTFail("\(result.problems)") }
        XCTAssertEqual(path, "outputs/samples.jsonl")
        XCTAssertTrue(reason.contains("expected"), reason)
        XCTAssertNotEqual(result.archiveID, identity)
        XCTAssertEqual(result.archiveID, ContentHasher.digest(of: bytes))
    }

    func testMissingExtraAndRunIDMismatchAreNamed() throws {
        let base = try makeTemporaryDirectory(self)
        let run = base.appendingPathComponent("run")
        let runID = try makeRunDirectory(run)
        try FileManager.default.removeItem(at: run.appendingPathComponent("steps/train/log.txt"))
        try writeFile(run.appendingPathComponent("outputs/smuggled.txt"), "not listed")
        let archive = base.appendingPathComponent("run.tar.zst")
        try RunArchive.write(directory: run, rootName: runID, to: archive)
        let result = try RunArchive.verify(archive)
        XCTAssertEqual(result.problems, [.extra(path: "outputs/smuggled.txt"), .missing(path: "steps/train/log.txt")])

        let renamed = base.appendingPathComponent("renamed.tar.zst")
        try RunArchive.write(directory: run, rootName: "00000000000000000000", to: renamed)
        let mismatch = try RunArchive.verify(renamed)
        XCTAssertTrue(mismatch.problems.contains(.runIDMismatch(rootName: "00000000000000000000", recomputed: runID)))

        // A changed manifest changes the run id the root must carry.
        try writeFile(run.appendingPathComponent(Manifest.fileName), "{}")
        let broken = base.appendingPathComponent("broken.tar.zst")
        try RunArchive.write(directory: run, rootName: runID, to: broken)
        let brokenResult = try RunArchive.verify(broken)
        XCTAssertTrue(brokenResult.problems.contains { if case .invalidManifest = $0 { return true } else { return false } })
        XCTAssertTrue(brokenResult.problems.contains { if case .runIDMismatch = $0 { return true } else { return false } })
    }

    func testVerifyReportsHostileMembersWithoutWriting() throws {
        let base = try makeTemporaryDirectory(self)
        let archive = base.appendingPathComponent("hostile.tar.zst")
        try HostileArchive.write([.directory("r/"), .file("r/a", "a"), .symlink("r/l", target: "/etc/passwd"), .file("../x", "x")], to: archive)
        let result = try RunArchive.verify(archive)
        XCTAssertTrue(result.problems.contains(.unexpectedType(member: "r/l", kind: "symbolic link")), "\(result.problems)")
        XCTAssertTrue(result.problems.contains(.outsideRoot(member: "../x")), "\(result.problems)")
        XCTAssertTrue(result.problems.contains(.missingManifest), "\(result.problems)")
    }

    func testWriteRejectsBadInputs() throws {
        let base = try makeTemporaryDirectory(self)
        let run = base.appendingPathComponent("run")
        try writeFile(run.appendingPathComponent("a"), "a")
        for bad in ["", ".", "..", "a/b"] {
            XCTAssertThrowsError(try RunArchive.write(directory: run, rootName: bad, to: base.appendingPathComponent("x.tar.zst"))) {
                XCTAssertEqual($0 as? ArchiveError, .invalidRootName(bad))
            }
        }
        try FileManager.default.createSymbolicLink(atPath: run.appendingPathComponent("link").path, withDestinationPath: "a")
        XCTAssertThrowsError(try RunArchive.write(directory: run, rootName: "r", to: base.appendingPathComponent("x.tar.zst"))) {
            XCTAssertTrue($0 is UnsupportedFileError, "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: base.appendingPathComponent("x.tar.zst").path))
        let inside = run.appendingPathComponent("self.tar.zst")
        XCTAssertThrowsError(try RunArchive.write(directory: run, rootName: "r", to: inside)) {
            XCTAssertEqual($0 as? ArchiveError, .outputInsideDirectory(output: inside.path, directory: run.path))
        }
        XCTAssertEqual(try RunArchive.sourceDateEpochFromEnvironment([:]), 0)
        XCTAssertEqual(try RunArchive.sourceDateEpochFromEnvironment(["SOURCE_DATE_EPOCH": "1700000000"]), 1_700_000_000)
        XCTAssertThrowsError(try RunArchive.sourceDateEpochFromEnvironment(["SOURCE_DATE_EPOCH": "yesterday"])) {
            XCTAssertEqual($0 as? ArchiveError, .invalidSourceDateEpoch("yesterday"))
        }
    }
}
