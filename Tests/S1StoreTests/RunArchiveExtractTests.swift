import Foundation
import S1Store
import XCTest

final class RunArchiveExtractTests: XCTestCase {
    func testRoundTripRestoresEveryFile() throws {
        let base = try makeTemporaryDirectory(self)
        let run = base.appendingPathComponent("run")
        let runID = try makeRunDirectory(run)
        let archive = base.appendingPathComponent("run.tar.zst")
        try RunArchive.write(directory: run, rootName: runID, to: archive)
        let out = base.appendingPathComponent("restored")
        let extracted = try RunArchive.extract(archive, into: out)
        XCTAssertEqual(extracted, try RunArchive.members(of: archive).map(\.normalizedPath))
        let manifest = try Manifest.read(from: out.appendingPathComponent("\(runID)/manifest.json"))
        XCTAssertEqual(try manifest.verify(directory: out.appendingPathComponent(runID)), [])
        XCTAssertEqual(manifest, try Manifest.read(from: run.appendingPathComponent(Manifest.fileName)))
        // Re-archiving the extracted run reproduces the archive exactly.
        let again = base.appendingPathComponent("again.tar.zst")
        try RunArchive.write(directory: out.appendingPathComponent(runID), rootName: runID, to: again)
        XCTAssertEqual(try Data(contentsOf: again), try Data(contentsOf: archive))
        // An existing non-empty destination is refused.
        XCTAssertThrowsError(try RunArchive.extract(archive, into: out)) {
            XCTAssertEqual($0 as? ArchiveError, .destinationNotEmpty(path: out.path))
        }
        // An existing empty one is fine.
        let empty = base.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertNoThrow(try RunArchive.extract(archive, into: empty))
    }

    /// Each hostile archive is refused with an error naming the member, and nothing is written anywhere.
    func testHostileArchivesAreRejectedAndNothingIsWritten() throws {
        let base = try makeTemporaryDirectory(self)
        let absoluteTarget = base.appendingPathComponent("escaped-absolute").path
        let cases: [(String, [HostileArchive.Member], ArchiveError)] = [
            ("dotdot", [.file("r/ok", "ok"), .file("r/../../x", "evil")],
             .unsafePath(member: "r/../../x", reason: "its path has a '..' component")),
            ("leading-dotdot", [.file("../x", "evil")], .unsafePath(member: "../x", reason: "its path has a '..' component")),
            ("absolute", [.file("r/ok", "ok"), .file(absoluteTarget, "evil")],
             .unsafePath(member: absoluteTarget, reason: "its path is absolute")),
            ("symlink-escape", [.directory("r/"), .symlink("r/link", target: "../../../etc"), .file("r/link/passwd", "evil")],
             .linkRejected(member: "r/link", target: "../../../etc", kind: "symbolic link")),
            ("absolute-symlink", [.symlink("r/l", target: "/etc/passwd")],
             .linkRejected(member: "r/l", target: "/etc/passwd", kind: "symbolic link")),
            ("hardlink", [.file("r/a", "a"), .hardlink("r/h", target: "/etc/shadow")],
             .linkRejected(member: "r/h", target: "/etc/shadow", kind: "hard link")),
            ("device", [.file("r/a", "a"), .characterDevice("r/null")],
             .specialFileRejected(member: "r/null", kind: "character device")),
            ("fifo", [.fifo("r/pipe")], .specialFileRejected(member: "r/pipe", kind: "fifo")),
            ("duplicate", [.file("r/a", "a"), .file("r/a", "b")], .duplicateMember(member: "r/a")),
            ("file-then-child", [.file("r/a", "a"), .file("r/a/b", "b")],
             .conflictingMember(member: "r/a/b", reason: "its parent \"r/a\" is a regular file in this archive")),
        ]
        for (name, members, expected) in cases {
            let archive = base.appendingPathComponent("\(name).tar.zst")
            try HostileArchive.write(members, to: archive)
            let sandbox = base.appendingPathComponent("sandbox-\(name)")
            try FileManager.default.createDirectory(at: sandbox, withIntermediateDirectories: true)
            let out = sandbox.appendingPathComponent("inner/out")
            XCTAssertThrowsError(try RunArchive.extract(archive, into: out), name) { error in
                XCTAssertEqual(error as? ArchiveError, expected, name)
                XCTAssertTrue("\(error)".contains("nothing was extracted"), "\(error)")
            }
            // Nothing written: no destination, no staging folder, nothing beside it.
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: sandbox.path), [], name)
        }
        // Nothing escaped into the folder that holds the sandboxes either.
        let names = try FileManager.default.contentsOfDirectory(atPath: base.path)
        XCTAssertEqual(names.filter { !$0.hasSuffix(".tar.zst") && !$0.hasPrefix("sandbox-") }, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: absoluteTarget))
    }

    func testSizeLimitsAreEnforcedBeforeWriting() throws {
        let base = try makeTemporaryDirectory(self)
        let archive = base.appendingPathComponent("big.tar.zst")
        try HostileArchive.write([.sizedFile("r/a", size: 600), .sizedFile("r/b", size: 600), .sizedFile("r/c", size: 1500)], to: archive)
        let out = base.appendingPathComponent("out")
        XCTAssertThrowsError(try RunArchive.extract(
            archive, into: out, limits: ExtractionLimits(maxMemberBytes: 1000, maxTotalBytes: 10_000, maxMembers: 10))) {
            XCTAssertEqual($0 as? ArchiveError, .memberTooLarge(member: "r/c", size: 1500, limit: 1000))
        }
        XCTAssertThrowsError(try RunArchive.extract(
            archive, into: out, limits: ExtractionLimits(maxMemberBytes: 2000, maxTotalBytes: 1000, maxMembers: 10))) {
            XCTAssertEqual($0 as? ArchiveError, .totalTooLarge(member: "r/b", total: 1200, limit: 1000))
        }
        XCTAssertThrowsError(try RunArchive.extract(
            archive, into: out, limits: ExtractionLimits(maxMemberBytes: 2000, maxTotalBytes: 10_000, maxMembers: 2))) {
            XCTAssertEqual($0 as? ArchiveError, .tooManyMembers(limit: 2))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base.path), ["big.tar.zst"])
        let files = try RunArchive.extract(
            archive, into: out, limits: ExtractionLimits(maxMemberBytes: 2000, maxTotalBytes: 10_000, maxMembers: 3))
        XCTAssertEqual(files, ["r/a", "r/b", "r/c"])
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("r/c")), Data(repeating: 0x61, count: 1500))
    }

    func testUnreadableArchiveIsATypedError() throws {
        let base = try makeTemporaryDirectory(self)
        let garbage = base.appendingPathComponent("garbage.tar.zst")
        try Data("this is not an archive at all, just some text".utf8).write(to: garbage)
        XCTAssertThrowsError(try RunArchive.extract(garbage, into: base.appendingPathComponent("out"))) {
            guard case .libarchive(let path, _, _)? = $0 as? ArchiveError else { return XCTFail("\($0)") }
            XCTAssertEqual(path, garbage.path)
        }
        XCTAssertThrowsError(try RunArchive.verify(base.appendingPathComponent("absent.tar.zst")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base.path), ["garbage.tar.zst"])
    }
}
