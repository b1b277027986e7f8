import Foundation
import S1Store
import XCTest

final class StoreLockTests: XCTestCase {
    /// flock locks belong to open file descriptions, so two locks in one process exclude each other.
    func testExclusiveExcludesOthersUntilClosed() throws {
        let root = try makeTemporaryDirectory(self)
        let first = try StoreLock.acquire(root: root, exclusive: true, wait: false)
        XCTAssertThrowsError(try StoreLock.acquire(root: root, exclusive: true, wait: false)) { error in
            XCTAssertEqual(error as? StoreLockError, .busy(path: root.appendingPathComponent("lock").path, exclusive: true))
        }
        XCTAssertThrowsError(try StoreLock.acquire(root: root, exclusive: false, wait: false))
        first.close()
        XCTAssertFalse(first.isHeld)
        let second = try StoreLock.acquire(root: root, exclusive: true, wait: false)
        XCTAssertTrue(second.isHeld)
    }

    func testSharedLocksCoexistButBlockExclusive() throws {
        let root = try makeTemporaryDirectory(self)
        let a = try StoreLock.acquire(root: root, exclusive: false, wait: false)
        let b = try StoreLock.acquire(root: root, exclusive: false, wait: false)
        XCTAssertThrowsError(try StoreLock.acquire(root: root, exclusive: true, wait: false))
        a.close()
        b.close()
        XCTAssertNoThrow(try StoreLock.acquire(root: root, exclusive: true, wait: false))
    }

    /// With `wait: true` a second locker blocks until the holder releases, then gets the lock.
    func testWaitingLockerProceedsAfterRelease() throws {
        let root = try makeTemporaryDirectory(self)
        let holder = try StoreLock.acquire(root: root, exclusive: true, wait: false)
        let acquired = expectation(description: "waiting locker acquired")
        let state = WaitState()
        Thread.detachNewThread {
            let lock = try? StoreLock.acquire(root: root, exclusive: true, wait: true)
            state.set(lock != nil)
            lock?.close()
            acquired.fulfill()
        }
        usleep(200_000)
        XCTAssertNil(state.get(), "the waiter got the lock while it was held")
        holder.close()
        wait(for: [acquired], timeout: 10)
        XCTAssertEqual(state.get(), true)
    }

    func testReleasedOnDeinit() throws {
        let root = try makeTemporaryDirectory(self)
        do { _ = try StoreLock.acquire(root: root, exclusive: true, wait: false) }
        XCTAssertNoThrow(try StoreLock.acquire(root: root, exclusive: true, wait: false))
    }

    /// Exclusion between processes, checked with util-linux flock(1) on the same lock file.
    func testExcludesAnotherProcess() throws {
        let root = try makeTemporaryDirectory(self)
        let lockFile = root.appendingPathComponent("lock").path
        let lock = try StoreLock.acquire(root: root, exclusive: true, wait: false)
        XCTAssertEqual(try runCommand(["flock", "-n", lockFile, "true"]).status, 1)
        lock.close()
        XCTAssertEqual(try runCommand(["flock", "-n", lockFile, "true"]).status, 0)
    }

    /// A process killed with SIGKILL while holding the lock leaves no stale lock behind.
    func testKillNineLeavesNoStaleLock() throws {
        let root = try makeTemporaryDirectory(self)
        _ = try StoreLock.acquire(root: root, exclusive: true, wait: false)  // creates the file; released at once
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // One process that holds the lock itself: sh opens fd 9, flock(1) locks it, then sh becomes sleep
        // (same pid, fd 9 kept), so SIGKILL to that pid kills the only holder.
        let lockPath = root.appendingPathComponent("lock").path
        holder.arguments = ["sh", "-c", "exec 9>>'\(lockPath)'; flock 9; exec sleep 30"]
        try holder.run()
        // Wait until the child holds the lock.
        var held = false
        for _ in 0..<200 {
            if (try? StoreLock.acquire(root: root, exclusive: true, wait: false)) == nil { held = true; break }
            usleep(10_000)
        }
        XCTAssertTrue(held, "child never took the lock")
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        var acquired: StoreLock?
        for _ in 0..<300 where acquired == nil {
            acquired = try? StoreLock.acquire(root: root, exclusive: true, wait: false)
            if acquired == nil { usleep(10_000) }
        }
        XCTAssertNotNil(acquired)
    }
}

/// A value shared with a waiting thread.
private final class WaitState: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Bool?
    func set(_ newValue: Bool) { lock.lock(); value = newValue; lock.unlock() }
    func get() -> Bool? { lock.lock(); defer { lock.unlock() }; return value }
}
