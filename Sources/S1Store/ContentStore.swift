import Crypto
import Foundation

/// A content-addressed object store: each object lives at `objects/sha256/<first 2 hex>/<64 hex>` under
/// `root` (e.g. `artifacts/`), so equal content is stored once and a path names its own content.
///
/// Writes stream into `tmp/` inside the store (same file system, so the final rename is atomic), are
/// fsynced, then renamed into place. After `kill -9` an object is either complete or absent; only stray
/// temp files can remain, and `collectGarbage` removes them. Objects are made read-only (0444) because a
/// changed object would silently lie about its name.
public struct ContentStore: Sendable {
    /// The store's root directory.
    public let root: URL

    /// Opens (and creates, if needed) a store at `root`.
    public init(root: URL) throws {
        self.root = root
        try makeDirectories(objectsDirectory.path)
        try makeDirectories(tempDirectory.path)
    }

    /// `<root>/objects/sha256`.
    public var objectsDirectory: URL {
        root.appendingPathComponent("objects").appendingPathComponent(Digest.algorithm)
    }

    /// `<root>/tmp`: where writes stream before their rename.
    public var tempDirectory: URL { root.appendingPathComponent("tmp") }

    /// Where the object with `digest` lives (whether or not it exists).
    public func path(for digest: Digest) -> URL {
        let hex = digest.hex
        return objectsDirectory.appendingPathComponent(String(hex.prefix(2))).appendingPathComponent(hex)
    }

    /// Whether the object is present.
    public func contains(_ digest: Digest) -> Bool {
        var info = stat()
        return stat(path(for: digest).path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Stores bytes; returns their digest. Storing the same bytes twice keeps one object.
    @discardableResult
    public func put(data: Data) throws -> Digest {
        let digest = ContentHasher.digest(of: data)
        if contains(digest) { return digest }
        let temp = try TempFile(inDirectory: tempDirectory.path, prefix: "object", mode: 0o444)
        do {
            try data.withUnsafeBytes { try temp.write($0) }
            try install(temp, as: digest)
        } catch {
            temp.discard()
            throw error
        }
        return digest
    }

    /// Copies a file into the store in one pass (hashing while copying); returns its digest.
    @discardableResult
    public func put(fileAt source: URL) throws -> Digest {
        let fd = open(source.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreIOError.errno("open for reading", source.path) }
        defer { close(fd) }
        let temp = try TempFile(inDirectory: tempDirectory.path, prefix: "object", mode: 0o444)
        do {
            var hasher = SHA256()
            let size = ContentHasher.readBufferSize
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
            defer { buffer.deallocate() }
            while true {
                let count = read(fd, buffer.baseAddress, size)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw StoreIOError.errno("read", source.path)
                }
                if count == 0 { break }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                hasher.update(bufferPointer: chunk)
                try temp.write(chunk)
            }
            let digest = Digest(hasher.finalize())
            if contains(digest) {
                temp.discard()
            } else {
                try install(temp, as: digest)
            }
            return digest
        } catch {
            temp.discard()
            throw error
        }
    }

    /// The object's bytes.
    /// - Throws: `ContentStoreError.missingObject` when absent, `.corruptObject` when its bytes no longer
    ///   hash to its name.
    public func data(for digest: Digest) throws -> Data {
        let url = path(for: digest)
        guard contains(digest) else { throw ContentStoreError.missingObject(digest, path: url.path) }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw StoreIOError(operation: "read object", path: url.path, reason: error.localizedDescription)
        }
        let found = ContentHasher.digest(of: data)
        guard found == digest else { throw ContentStoreError.corruptObject(digest, found: found, path: url.path) }
        return data
    }

    /// Every object digest in the store, sorted.
    public func allObjects() throws -> [Digest] {
        var result = [Digest]()
        let fm = FileManager.default
        guard let shards = try? fm.contentsOfDirectory(atPath: objectsDirectory.path) else { return [] }
        for shard in shards.sorted() {
            let shardPath = objectsDirectory.appendingPathComponent(shard).path
            guard let names = try? fm.contentsOfDirectory(atPath: shardPath) else { continue }
            for name in names {
                if let digest = Digest(parsing: Digest.algorithm + ":" + name), digest.hex.hasPrefix(shard) {
                    result.append(digest)
                }
            }
        }
        return result.sorted()
    }

    /// Removes every object not in `keeping`, and every stray temp file left by an interrupted write.
    /// Hold an exclusive `StoreLock` while calling this, so no concurrent run is mid-write.
    /// - Returns: how many objects were removed and how many bytes they held.
    @discardableResult
    public func collectGarbage(keeping: Set<Digest>) throws -> GarbageCollection {
        var removed = 0
        var bytes: Int64 = 0
        for digest in try allObjects() where !keeping.contains(digest) {
            let objectPath = path(for: digest).path
            var info = stat()
            let size = stat(objectPath, &info) == 0 ? Int64(info.st_size) : 0
            guard unlink(objectPath) == 0 else { throw StoreIOError.errno("remove object", objectPath) }
            removed += 1
            bytes += size
        }
        // Shards left empty are removed too (rmdir fails harmlessly on non-empty ones).
        if let shards = try? FileManager.default.contentsOfDirectory(atPath: objectsDirectory.path) {
            for shard in shards { rmdir(objectsDirectory.appendingPathComponent(shard).path) }
        }
        var temporaries = 0
        if let names = try? FileManager.default.contentsOfDirectory(atPath: tempDirectory.path) {
            for name in names where unlink(tempDirectory.appendingPathComponent(name).path) == 0 {
                temporaries += 1
            }
        }
        return GarbageCollection(removed: removed, bytes: bytes, removedTemporaries: temporaries)
    }

    private func install(_ temp: TempFile, as digest: Digest) throws {
        let destination = path(for: digest)
        try makeDirectories(destination.deletingLastPathComponent().path)
        // A concurrent writer may have installed the same content meanwhile; rename then just replaces
        // identical bytes, which is harmless.
        try temp.commit(to: destination.path)
    }
}

/// What `ContentStore.collectGarbage` removed.
public struct GarbageCollection: Equatable, Sendable {
    /// Objects removed.
    public let removed: Int
    /// Bytes those objects held.
    public let bytes: Int64
    /// Stray temp files (from interrupted writes) removed.
    public let removedTemporaries: Int
}

/// Errors reading objects back.
public enum ContentStoreError: Error, Equatable, CustomStringConvertible, Sendable {
    case missingObject(Digest, path: String)
    case corruptObject(Digest, found: Digest, path: String)

    public var description: String {
        switch self {
        case .missingObject(let digest, let path):
            return "\(path): object \(digest) is not in the store; rerun the step that produces it"
        case .corruptObject(let digest, let found, let path):
            return "\(path): object should hash to \(digest) but hashes to \(found); the store was modified "
                + "outside s1: delete this file and rerun"
        }
    }
}
