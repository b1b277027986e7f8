import CArchive
import Foundation

/// Writes one deterministic tar stream (pax restricted) through a zstd compressor, hashing the tar bytes.
///
/// As in `TarStreamReader`, two libarchive objects are chained: `tar` formats headers and data and hands
/// its byte stream to a callback; the callback hashes it (the archive identity is the hash of the
/// uncompressed stream) and passes it to `compressor`, a "raw"-format writer with libarchive's zstd filter
/// that writes the file. So there is one pass, and the compressed file is libarchive's zstd output.
final class TarStreamWriter {
    /// zstd level, pinned: the compressed bytes depend on it. 3 is zstd's and GNU tar's default.
    static let zstdLevel = 3
    /// zstd compression workers, pinned for byte-identical output across machines.
    static let zstdWorkers = 2

    private let tar: OpaquePointer
    private let compressor: OpaquePointer
    private var hasher = IncrementalHasher()
    private var forwardError: String?
    private let outputPath: String
    private var closed = false

    init(outputFileDescriptor fd: Int32, outputPath: String) throws {
        self.outputPath = outputPath
        tar = archive_write_new()!
        compressor = archive_write_new()!
        try check(compressor, archive_write_set_format_raw(compressor), "set raw format")
        try check(compressor, archive_write_add_filter_zstd(compressor), "add zstd filter")
        try check(
            compressor, archive_write_set_filter_option(compressor, "zstd", "compression-level", "\(TarStreamWriter.zstdLevel)"),
            "set zstd level")
        // Two compression workers, pinned rather than taken from the machine: zstd's output depends on the worker
        // count, so a fixed count keeps the compressed bytes the same everywhere, while the tar stream is produced
        // and hashed on this thread (GNU `tar --zstd` likewise overlaps tar and a zstd process).
        try check(compressor, archive_write_set_filter_option(compressor, "zstd", "threads", "\(TarStreamWriter.zstdWorkers)"),
                  "set zstd workers")
        // No padding after the zstd frame: zstd(1), and so `tar --zstd`, reject trailing garbage.
        try check(compressor, archive_write_set_bytes_per_block(compressor, 0), "set block size")
        try check(compressor, archive_write_set_bytes_in_last_block(compressor, 1), "set last block size")
        try check(compressor, archive_write_open_fd(compressor, fd), "open output")
        let streamEntry = archive_entry_new()!
        defer { archive_entry_free(streamEntry) }
        archive_entry_set_pathname(streamEntry, "stream.tar")
        archive_entry_set_filetype(streamEntry, FileType.regular)
        archive_entry_set_perm(streamEntry, 0o644)
        try check(compressor, archive_write_header(compressor, streamEntry), "start compressed stream")

        try check(tar, archive_write_set_format_pax_restricted(tar), "set pax restricted format")
        // Standard tar blocking (20 records of 512 bytes), so the stream is what `tar` itself would pad to.
        try check(tar, archive_write_set_bytes_per_block(tar, 10240), "set tar block size")
        try check(tar, archive_write_set_bytes_in_last_block(tar, 10240), "set tar last block size")
        let context = Unmanaged.passUnretained(self).toOpaque()
        let status = archive_write_open2(tar, context, nil, { _, context, buffer, length in
            let writer = Unmanaged<TarStreamWriter>.fromOpaque(context!).takeUnretainedValue()
            return writer.forward(buffer!, length)
        }, nil, nil)
        try check(tar, status, "open tar stream")
    }

    deinit {
        archive_write_free(tar)
        archive_write_free(compressor)
    }

    private func forward(_ buffer: UnsafeRawPointer, _ length: Int) -> Int {
        hasher.update(UnsafeRawBufferPointer(start: buffer, count: length))
        var offset = 0
        while offset < length {
            let written = archive_write_data(compressor, buffer + offset, length - offset)
            if written <= 0 {
                forwardError = archive_error_string(compressor).map { String(cString: $0) } ?? "compression failed"
                return -1
            }
            offset += written
        }
        return length
    }

    /// Adds a directory member.
    func addDirectory(path: String, modificationTime: Int64) throws {
        let entry = TarStreamWriter.entry(path: path, type: FileType.directory, mode: 0o755, size: 0, mtime: modificationTime)
        defer { archive_entry_free(entry) }
        try check(tar, archive_write_header(tar, entry), "write header of \(path)")
    }

    /// Adds a regular file member, streaming `source`; the file must still have `size` bytes.
    func addFile(path: String, source: String, size: Int64, mode: UInt16, modificationTime: Int64) throws {
        let entry = TarStreamWriter.entry(path: path, type: FileType.regular, mode: mode, size: size, mtime: modificationTime)
        defer { archive_entry_free(entry) }
        try check(tar, archive_write_header(tar, entry), "write header of \(path)")
        let fd = open(source, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreIOError.errno("open for reading", source) }
        defer { close(fd) }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        let bufferSize = ContentHasher.readBufferSize
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64)
        defer { buffer.deallocate() }
        var remaining = size
        while true {
            let count = read(fd, buffer.baseAddress, bufferSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreIOError.errno("read", source)
            }
            if count == 0 { break }
            guard Int64(count) <= remaining else { throw ArchiveError.fileChangedWhileArchiving(path: source) }
            var offset = 0
            while offset < count {
                let written = archive_write_data(tar, buffer.baseAddress! + offset, count - offset)
                if written <= 0 { try check(tar, Int32(ARCHIVE_FATAL), "write data of \(path)") }
                offset += written
            }
            remaining -= Int64(count)
        }
        guard remaining == 0 else { throw ArchiveError.fileChangedWhileArchiving(path: source) }
    }

    /// Writes the end-of-archive marker, flushes the compressor; returns the tar stream's SHA-256.
    func finish() throws -> Digest {
        closed = true
        try check(tar, archive_write_close(tar), "close tar stream")
        try check(compressor, archive_write_close(compressor), "close compressed output")
        return hasher.finalize()
    }

    /// A header with every field that could vary across machines pinned: numeric owner 0:0 with no names,
    /// fixed mtime, no atime/ctime/birthtime, normalised mode, no xattrs or ACLs (never set).
    private static func entry(path: String, type: UInt32, mode: UInt16, size: Int64, mtime: Int64) -> OpaquePointer {
        let entry = archive_entry_new()!
        archive_entry_set_pathname_utf8(entry, path)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode_t(mode))
        archive_entry_set_size(entry, size)
        archive_entry_set_mtime(entry, time_t(mtime), 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        return entry
    }

    private func check(_ archive: OpaquePointer, _ status: Int32, _ operation: String) throws {
        guard status != ARCHIVE_OK else { return }
        let message = forwardError ?? archive_error_string(archive).map { String(cString: $0) } ?? "status \(status)"
        throw ArchiveError.libarchive(path: outputPath, operation: operation, message: message)
    }
}
