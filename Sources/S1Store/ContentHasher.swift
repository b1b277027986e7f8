import Crypto
import Foundation

/// SHA-256 of bytes and files, by content only (never by name, time or path).
public enum ContentHasher {
    /// Read size for streaming. Large enough that syscall overhead vanishes against hashing, small enough
    /// (1 MiB) to stay in L2 between `read` and the hash, which measured faster than 4-16 MiB buffers.
    public static let readBufferSize = 1 << 20

    /// Digest of an in-memory byte string.
    public static func digest(of data: Data) -> Digest {
        Digest(SHA256.hash(data: data))
    }

    /// Digest of a byte sequence, e.g. `Array("abc".utf8)`.
    public static func digest<Bytes: Sequence>(ofBytes bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return Digest(hasher.finalize())
    }

    /// Streams a file through SHA-256 with one reused buffer, so memory stays flat for any file size.
    public static func digest(ofFile path: String) throws -> Digest {
        try digestAndSize(ofFile: path).digest
    }

    /// Streams a file through SHA-256 and also returns the number of bytes read.
    public static func digestAndSize(ofFile path: String) throws -> (digest: Digest, size: Int64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreIOError.errno("open for reading", path) }
        defer { close(fd) }
        // The kernel can read ahead further when it knows the access is one sequential pass.
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        var hasher = SHA256()
        var total: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readBufferSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, readBufferSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreIOError.errno("read", path)
            }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += Int64(count)
        }
        return (Digest(hasher.finalize()), total)
    }
}

/// An incremental SHA-256, for callers that produce bytes piece by piece (archives, copies).
public struct IncrementalHasher: Sendable {
    private var hasher = SHA256()
    /// Number of bytes fed so far.
    public private(set) var byteCount: Int64 = 0

    public init() {}

    /// Feeds more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        byteCount += Int64(bytes.count)
    }

    /// Feeds more bytes.
    public mutating func update(_ data: Data) {
        hasher.update(data: data)
        byteCount += Int64(data.count)
    }

    /// The digest of everything fed.
    public func finalize() -> Digest {
        Digest(hasher.finalize())
    }
}
