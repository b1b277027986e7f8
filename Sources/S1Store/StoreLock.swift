import Foundation

/// A lock on a whole store (`<root>/lock`), so that two `s1 run` on one store never interleave writes.
///
/// Why flock(2) and not a lock file that is created and deleted: a flock lock belongs to the open file
/// description and the kernel drops it when the process dies, however it dies. So `kill -9`, a crash or a
/// power cut never leaves a stale lock behind that a human would have to delete, and there is no PID
/// guessing. Shared locks let readers (plan, verify) run together; exclusive locks serialise writers.
/// Because the lock is per open file description, two `StoreLock`s in one process exclude each other too.
public final class StoreLock: @unchecked Sendable {
    /// The lock file's path.
    public let path: String
    /// Whether this is an exclusive (writer) lock.
    public let exclusive: Bool
    private var fd: Int32
    private let mutex = NSLock()

    private init(path: String, exclusive: Bool, fd: Int32) {
        self.path = path
        self.exclusive = exclusive
        self.fd = fd
    }

    /// Locks the store at `root` (created if needed).
    /// - Parameters:
    ///   - exclusive: true for writers, false for shared readers.
    ///   - wait: true blocks until the lock is free; false throws `StoreLockError.busy` at once.
    public static func acquire(root: URL, exclusive: Bool, wait: Bool) throws -> StoreLock {
        try makeDirectories(root.path)
        let path = root.appendingPathComponent("lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreIOError.errno("open lock file", path) }
        var operation = exclusive ? LOCK_EX : LOCK_SH
        if !wait { operation |= LOCK_NB }
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            Foundation.close(fd)
            if code == EWOULDBLOCK {
                throw StoreLockError.busy(path: path, exclusive: exclusive)
            }
            throw StoreIOError(operation: "flock", path: path, code: code)
        }
        return StoreLock(path: path, exclusive: exclusive, fd: fd)
    }

    /// Releases the lock now (also done on deinit). Safe to call twice.
    public func close() {
        mutex.lock()
        defer { mutex.unlock() }
        if fd >= 0 {
            flock(fd, LOCK_UN)
            Foundation.close(fd)
            fd = -1
        }
    }

    /// Whether the lock is still held by this object.
    public var isHeld: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return fd >= 0
    }

    deinit { close() }
}

/// The store lock could not be taken.
public enum StoreLockError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Another process (or another `StoreLock`) holds a conflicting lock and `wait` was false.
    case busy(path: String, exclusive: Bool)

    public var description: String {
        switch self {
        case .busy(let path, let exclusive):
            return "\(path): the store is locked by another s1 process; "
                + (exclusive ? "wait for it to finish, or " : "") + "run again with waiting enabled"
        }
    }
}
