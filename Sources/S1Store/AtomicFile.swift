import Foundation

/// Writes that are all-or-nothing: a reader (or a run after `kill -9`) sees the old file or the complete
/// new one, never half a file.
public enum AtomicFile {
    /// Writes `data` to a temp file in the destination's directory, fsyncs it, renames it over `url`,
    /// then fsyncs the directory so the rename itself survives a crash.
    /// The temp file is in the same directory because rename(2) is only atomic within one file system.
    public static func write(_ data: Data, to url: URL, mode: mode_t = 0o644) throws {
        let directory = url.deletingLastPathComponent().path
        let temp = try TempFile(inDirectory: directory, prefix: "." + url.lastPathComponent, mode: mode)
        do {
            try data.withUnsafeBytes { try temp.write($0) }
            try temp.commit(to: url.path)
        } catch {
            temp.discard()
            throw error
        }
    }
}

/// A temp file opened for writing, later fsynced and renamed into place, or removed.
/// Names are `<prefix>.tmp-<pid>-<counter>`, unique within a process and across live processes.
final class TempFile {
    let path: String
    private(set) var fd: Int32
    private static let counter = Counter()

    init(inDirectory directory: String, prefix: String, mode: mode_t = 0o644) throws {
        var attempt = 0
        while true {
            let candidate = directory + "/" + prefix + ".tmp-\(getpid())-\(TempFile.counter.next())"
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 {
                self.path = candidate
                self.fd = fd
                // open(2) applies the umask; set the intended mode exactly.
                fchmod(fd, mode)
                return
            }
            if errno == EEXIST && attempt < 1000 { attempt += 1; continue }
            throw StoreIOError.errno("create temp file", candidate)
        }
    }

    /// Writes all bytes, retrying short writes.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw StoreIOError.errno("write", path)
            }
            offset += written
        }
    }

    /// fsync, close, rename over `destination`, fsync the destination directory.
    func commit(to destination: String) throws {
        guard fsync(fd) == 0 else { throw StoreIOError.errno("fsync", path) }
        closeDescriptor()
        guard rename(path, destination) == 0 else { throw StoreIOError.errno("rename to \(destination)", path) }
        try syncDirectory(containing: destination)
    }

    /// Closes and removes the temp file (after an error, or when the content already exists).
    func discard() {
        closeDescriptor()
        unlink(path)
    }

    func closeDescriptor() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }

    deinit { closeDescriptor() }

    final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}

/// fsyncs the directory holding `path`, making a rename or create in it durable.
func syncDirectory(containing path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try syncDirectory(directory.isEmpty ? "." : directory)
}

/// fsyncs a directory.
func syncDirectory(_ directory: String) throws {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw StoreIOError.errno("open directory", directory) }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw StoreIOError.errno("fsync directory", directory) }
}

/// mkdir -p with a clear error.
func makeDirectories(_ path: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw StoreIOError(operation: "create directory", path: path, reason: "\(error.localizedDescription)")
    }
}
