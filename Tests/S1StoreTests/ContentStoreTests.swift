import Foundation
import S1Store
import XCTest

final class ContentStoreTests: XCTestCase {
    func testAtomicWriteReplacesWholeFileAndLeavesNoTemp() throws {
        let dir = try makeTemporaryDirectory(self)
        let target = dir.appendingPathComponent("record.json")
        try AtomicFile.write(Data("first".utf8), to: target)
        try AtomicFile.write(Data("second, longer".utf8), to: target)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "second, longer")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["record.json"])
        // A failed write (missing directory) leaves nothing behind.
        let missing = dir.appendingPathComponent("no/such/dir/x")
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: missing))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["record.json"])
    }

    func testPutDeduplicatesAndLaysOutByDigest() throws {
        let root = try makeTemporaryDirectory(self)
        let store = try ContentStore(root: root)
        let d1 = try store.put(data: Data("abc".utf8))
        XCTAssertEqual(d1.hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(store.path(for: d1).path, root.appendingPathComponent("objects/sha256/ba/\(d1.hex)").path)
        XCTAssertTrue(store.contains(d1))
        XCTAssertEqual(try store.data(for: d1), Data("abc".utf8))

        let file = root.appendingPathComponent("input.txt")
        try writeFile(file, "abc")
        XCTAssertEqual(try store.put(fileAt: file), d1)  // same bytes, same object
        XCTAssertEqual(try store.allObjects(), [d1])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.tempDirectory.path), [])

        let big = root.appendingPathComponent("big.bin")
        let bytes = Data((0..<(2 * ContentHasher.readBufferSize + 7)).map { UInt8(truncatingIfNeeded: $0 * 31) })
        try bytes.write(to: big)
        let d2 = try store.put(fileAt: big)
        XCTAssertEqual(d2, ContentHasher.digest(of: bytes))
        XCTAssertEqual(try store.data(for: d2), bytes)
        XCTAssertEqual(try store.allObjects(), [d1, d2].sorted())
    }

    /// Concurrent writers of the same and of different content end with one complete object each.
    func testConcurrentPutsAreSafe() throws {
        let store = try ContentStore(root: try makeTemporaryDirectory(self))
        let payloads = (0..<4).map { Data(repeating: UInt8($0), count: 300_000 + $0) }
        let failures = FailureCount()
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            do {
                let payload = payloads[i % payloads.count]
                guard try store.put(data: payload) == ContentHasher.digest(of: payload) else { return failures.add() }
            } catch {
                failures.add()
            }
        }
        XCTAssertEqual(failures.value, 0)
        XCTAssertEqual(try store.allObjects(), payloads.map { ContentHasher.digest(of: $0) }.sorted())
        for payload in payloads { XCTAssertEqual(try store.data(for: ContentHasher.digest(of: payload)), payload) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.tempDirectory.path), [])
    }

    func testMissingAndCorruptObjectsAreTypedErrors() throws {
        let store = try ContentStore(root: try makeTemporaryDirectory(self))
        let absent = ContentHasher.digest(of: Data("nothing".utf8))
        XCTAssertFalse(store.contains(absent))
        XCTAssertThrowsError(try store.data(for: absent)) { error in
            XCTAssertEqual(error as? ContentStoreError, .missingObject(absent, path: store.path(for: absent).path))
        }
        let digest = try store.put(data: Data("good".utf8))
        let path = store.path(for: digest).path
        chmod(path, 0o644)
        try Data("evil".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try store.data(for: digest)) { error in
            guard case .corruptObject(digest, let found, _)? = error as? ContentStoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(found, ContentHasher.digest(of: Data("evil".utf8)))
        }
    }

    func testGarbageCollectionRemovesOnlyUnreferenced() throws {
        let store = try ContentStore(root: try makeTemporaryDirectory(self))
        let keep = try store.put(data: Data("keep me".utf8))
        let dropA = try store.put(data: Data("drop".utf8))
        let dropB = try store.put(data: Data("drop too".utf8))
        // A temp file as an interrupted (kill -9) write would leave.
        try Data("partial".utf8).write(to: store.tempDirectory.appendingPathComponent("object.tmp-1-1"))
        let result = try store.collectGarbage(keeping: [keep])
        XCTAssertEqual(result.removed, 2)
        XCTAssertEqual(result.bytes, Int64("drop".utf8.count + "drop too".utf8.count))
        XCTAssertEqual(result.removedTemporaries, 1)
        XCTAssertTrue(store.contains(keep))
        XCTAssertFalse(store.contains(dropA))
        XCTAssertFalse(store.contains(dropB))
        XCTAssertEqual(try store.data(for: keep), Data("keep me".utf8))
        XCTAssertEqual(try store.collectGarbage(keeping: [keep]).removed, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.objectsDirectory.path), [String(keep.hex.prefix(2))])
    }

    func testStatCacheSkipsUnchangedAndRehashesChanged() throws {
        let root = try makeTemporaryDirectory(self)
        let file = root.appendingPathComponent("input.bin")
        try writeFile(file, "version one")
        // An mtime well in the past, so the entry is outside the racy window and gets persisted.
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, file.path, &times, 0), 0)

        let cache = StatCache(storeRoot: root)
        XCTAssertEqual(try cache.digest(ofFile: file.path), ContentHasher.digest(of: Data("version one".utf8)))
        XCTAssertEqual(try cache.digest(ofFile: file.path), ContentHasher.digest(of: Data("version one".utf8)))
        XCTAssertEqual(cache.misses, 1)
        XCTAssertEqual(cache.hits, 1)
        try cache.save()

        let reloaded = StatCache(storeRoot: root)
        XCTAssertEqual(try reloaded.digest(ofFile: file.path), ContentHasher.digest(of: Data("version one".utf8)))
        XCTAssertEqual(reloaded.hits, 1)

        try writeFile(file, "version two, longer")
        XCTAssertEqual(try reloaded.digest(ofFile: file.path), ContentHasher.digest(of: Data("version two, longer".utf8)))
        XCTAssertEqual(reloaded.misses, 1)
        // Its mtime is now: racy, so used in memory but not persisted.
        try reloaded.save()
        let third = StatCache(storeRoot: root)
        _ = try third.digest(ofFile: file.path)
        XCTAssertEqual(third.misses, 1)
    }
}

private final class FailureCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
