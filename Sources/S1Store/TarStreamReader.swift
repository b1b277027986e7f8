import CArchive
import Foundation

/// Reads a tar archive (plain, or compressed with zstd, gzip, xz or bzip2) member by member, while
/// hashing the *uncompressed* tar stream, which is the archive's identity.
///
/// Two libarchive readers are chained: `decompressor` uses the "raw" format with every filter, so its one
/// entry is the decompressed stream; `tar` reads the tar format from a callback that pulls those bytes and
/// hashes them on the way. One pass over the file gives both the members and the identity.
final class TarStreamReader {
    let archivePath: String
    private let decompressor: OpaquePointer
    private let tar: OpaquePointer
    private var hasher = IncrementalHasher()
    private let chunkSize = 1 << 20
    private let chunk: UnsafeMutableRawBufferPointer
    private var pullError: String?
    private var finished = false

    init(url: URL) throws {
        archivePath = url.path
        chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        decompressor = archive_read_new()!
        tar = archive_read_new()!
        // Only the library-backed filters: `filter_all` would also enable filters that run external
        // programs (lrzip, grzip, …) chosen by the archive's first bytes, which a hostile file must not get.
        archive_read_support_filter_zstd(decompressor)
        archive_read_support_filter_gzip(decompressor)
        archive_read_support_filter_xz(decompressor)
        archive_read_support_filter_bzip2(decompressor)
        archive_read_support_format_raw(decompressor)
        guard archive_read_open_filename(decompressor, archivePath, 1 << 20) == ARCHIVE_OK else {
            throw failure(decompressor, "open")
        }
        var rawEntry: OpaquePointer?
        guard archive_read_next_header(decompressor, &rawEntry) == ARCHIVE_OK else {
            throw failure(decompressor, "read (the file is empty or not an archive)")
        }
        archive_read_support_format_tar(tar)
        let context = Unmanaged.passUnretained(self).toOpaque()
        let status = archive_read_open(tar, context, nil, { _, context, bufferOut in
            let reader = Unmanaged<TarStreamReader>.fromOpaque(context!).takeUnretainedValue()
            return reader.pull(bufferOut!)
        }, nil)
        guard status == ARCHIVE_OK else { throw failure(tar, "open as tar") }
    }

    deinit {
        archive_read_free(tar)
        archive_read_free(decompressor)
        chunk.deallocate()
    }

    /// Feeds the tar reader the next decompressed bytes, hashing them.
    private func pull(_ bufferOut: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        let count = archive_read_data(decompressor, chunk.baseAddress, chunkSize)
        if count < 0 {
            pullError = archive_error_string(decompressor).map { String(cString: $0) } ?? "decompression failed"
            return -1
        }
        hasher.update(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        bufferOut.pointee = UnsafeRawPointer(chunk.baseAddress)
        return count
    }

    /// The next member's header, or nil at the end of the archive.
    func nextMember() throws -> ArchiveMember? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(tar, &entry)
        if status == ARCHIVE_EOF { return nil }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
            throw failure(tar, "read member header")
        }
        return TarStreamReader.member(from: entry)
    }

    /// Streams the current member's data through `body`; returns the number of bytes.
    @discardableResult
    func readData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        var total: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = archive_read_data(tar, buffer.baseAddress, chunkSize)
            if count < 0 { throw failure(tar, "read member data") }
            if count == 0 { return total }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += Int64(count)
        }
    }

    /// Reads whatever follows the tar end marker (block padding) and returns the identity: SHA-256 of the
    /// whole uncompressed stream.
    func finish() throws -> Digest {
        if !finished {
            finished = true
            while true {
                let count = archive_read_data(decompressor, chunk.baseAddress, chunkSize)
                if count < 0 { throw failure(decompressor, "decompress") }
                if count == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            }
        }
        return hasher.finalize()
    }

    private func failure(_ archive: OpaquePointer, _ operation: String) -> ArchiveError {
        let message = pullError ?? archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
        return ArchiveError.libarchive(path: archivePath, operation: operation, message: message)
    }

    static func member(from entry: OpaquePointer) -> ArchiveMember {
        let path = (archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry)).map { String(cString: $0) } ?? ""
        let type = UInt32(archive_entry_filetype(entry))
        let kind: ArchiveMember.Kind
        if let hard = archive_entry_hardlink_utf8(entry) ?? archive_entry_hardlink(entry) {
            kind = .hardLink(target: String(cString: hard))
        } else {
            switch type & FileType.mask {
            case FileType.regular: kind = .file
            case FileType.directory: kind = .directory
            case FileType.symbolicLink:
                let target = (archive_entry_symlink_utf8(entry) ?? archive_entry_symlink(entry)).map { String(cString: $0) }
                kind = .symbolicLink(target: target ?? "")
            case FileType.characterDevice: kind = .characterDevice
            case FileType.blockDevice: kind = .blockDevice
            case FileType.fifo: kind = .fifo
            case FileType.socket: kind = .socket
            default: kind = .unknown(mode: type)
            }
        }
        return ArchiveMember(
            path: path, kind: kind, size: archive_entry_size(entry), mode: UInt16(archive_entry_perm(entry) & 0o7777),
            modificationTime: Int64(archive_entry_mtime(entry)), uid: archive_entry_uid(entry),
            gid: archive_entry_gid(entry))
    }
}

/// The `AE_IF*` file-type values of archive_entry.h (its macros are casts, which Swift cannot import).
enum FileType {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let symbolicLink: UInt32 = 0o120000
    static let characterDevice: UInt32 = 0o020000
    static let blockDevice: UInt32 = 0o060000
    static let fifo: UInt32 = 0o010000
    static let socket: UInt32 = 0o140000
}

extension ArchiveMember.Kind {
    /// A short human name ("regular file", "symbolic link", …).
    public var name: String {
        switch self {
        case .file: return "regular file"
        case .directory: return "directory"
        case .symbolicLink: return "symbolic link"
        case .hardLink: return "hard link"
        case .characterDevice: return "character device"
        case .blockDevice: return "block device"
        case .fifo: return "fifo"
        case .socket: return "socket"
        case .unknown(let mode): return "file of unknown type 0o\(String(mode, radix: 8))"
        }
    }
}

/// Runs `body` with this thread's character-type locale set to C.UTF-8.
///
/// libarchive converts member names through the current locale's charset. A Swift process runs in the
/// "C" locale (ASCII), where any non-ASCII name fails to convert; and a user's locale must never change
/// the bytes of an archive. Pinning the thread-local locale (uselocale, not the process-wide setlocale)
/// makes names UTF-8 in every header, whatever the environment says.
func withUTF8Locale<T>(_ body: () throws -> T) rethrows -> T {
    guard let utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil) else { return try body() }
    let previous = uselocale(utf8)
    defer {
        uselocale(previous)
        freelocale(utf8)
    }
    return try body()
}
