import Foundation

/// Remembers the digest of files by their (device, inode, size, mtime in ns), so unchanged inputs (a 60 GB
/// checkpoint) are not rehashed on every `s1 plan`. Persisted as JSON at `<store>/cache/stat-cache.json`.
///
/// The cache only ever saves time; it never decides a result on its own: any change of size, mtime, inode
/// or device is a miss. One known trap ("racy" entries, as in git's index): a file rewritten within the
/// same mtime tick as its hashing keeps its stat. So an entry whose mtime is not at least
/// `racyWindowSeconds` older than the moment it was hashed is used for this process but never saved.
public final class StatCache: @unchecked Sendable {
    /// The persisted file.
    public let url: URL
    /// Entries younger than this (mtime vs hashing time) are not persisted. See the type's documentation.
    public static let racyWindowSeconds: Int64 = 2

    struct Entry: Codable, Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var mtimeNanoseconds: Int64
        var sha256: Digest
        var persistable: Bool

        enum CodingKeys: String, CodingKey { case device, inode, size, mtimeNanoseconds, sha256 }

        init(device: UInt64, inode: UInt64, size: Int64, mtimeNanoseconds: Int64, sha256: Digest, persistable: Bool) {
            self.device = device
            self.inode = inode
            self.size = size
            self.mtimeNanoseconds = mtimeNanoseconds
            self.sha256 = sha256
            self.persistable = persistable
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            device = try c.decode(UInt64.self, forKey: .device)
            inode = try c.decode(UInt64.self, forKey: .inode)
            size = try c.decode(Int64.self, forKey: .size)
            mtimeNanoseconds = try c.decode(Int64.self, forKey: .mtimeNanoseconds)
            sha256 = try c.decode(Digest.self, forKey: .sha256)
            persistable = true
        }
    }

    private var entries: [String: Entry]
    private let lock = NSLock()
    /// Lookups answered from the cache since this object was created.
    public private(set) var hits = 0
    /// Lookups that had to hash.
    public private(set) var misses = 0

    /// Loads the cache of the store at `storeRoot`. A missing or unreadable cache file starts empty (the
    /// cache is an accelerator, so a damaged one is dropped rather than trusted or fatal).
    public init(storeRoot: URL) {
        self.url = storeRoot.appendingPathComponent("cache").appendingPathComponent("stat-cache.json")
        if let data = try? Data(contentsOf: url),
            let decoded = try? JSONDecoder().decode([String: Entry].self, from: data)
        {
            entries = decoded
        } else {
            entries = [:]
        }
    }

    /// The file's digest: from the cache when its stat is unchanged, else by hashing it (and remembering).
    public func digest(ofFile path: String) throws -> Digest {
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        let before = try StatCache.fileStat(path)
        lock.lock()
        if let entry = entries[key], entry.device == before.device, entry.inode == before.inode,
            entry.size == before.size, entry.mtimeNanoseconds == before.mtimeNanoseconds
        {
            hits += 1
            lock.unlock()
            return entry.sha256
        }
        misses += 1
        lock.unlock()
        let hashedAt = Int64(Date().timeIntervalSince1970)
        let (digest, size) = try ContentHasher.digestAndSize(ofFile: path)
        let after = try StatCache.fileStat(path)
        // A file that changed while being hashed gets no entry: its digest may describe no real state.
        guard after == before, size == before.size else { return digest }
        let persistable = before.mtimeNanoseconds / 1_000_000_000 + StatCache.racyWindowSeconds <= hashedAt
        lock.lock()
        entries[key] = Entry(
            device: before.device, inode: before.inode, size: before.size,
            mtimeNanoseconds: before.mtimeNanoseconds, sha256: digest, persistable: persistable)
        lock.unlock()
        return digest
    }

    /// Writes the persistable entries atomically (sorted keys, so the file is stable).
    public func save() throws {
        lock.lock()
        let persisted = entries.filter { $0.value.persistable }
        lock.unlock()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(persisted)
        try makeDirectories(url.deletingLastPathComponent().path)
        try AtomicFile.write(data, to: url)
    }

    /// Number of entries held (persistable or not).
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    struct FileStat: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var mtimeNanoseconds: Int64
    }

    static func fileStat(_ path: String) throws -> FileStat {
        var info = stat()
        guard stat(path, &info) == 0 else { throw StoreIOError.errno("stat", path) }
        return FileStat(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            mtimeNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }
}
