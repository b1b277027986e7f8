import CArchive
import Foundation

/// Builds arbitrary tar archives with libarchive directly, including ones s1 would never write (links,
/// devices, traversal), to test that extraction refuses them.
enum HostileArchive {
    enum Member {
        case file(String, String)
        case directory(String)
        case symlink(String, target: String)
        case hardlink(String, target: String)
        case characterDevice(String)
        case fifo(String)
        /// A header that declares `size` bytes of data that are all written (for size-limit tests).
        case sizedFile(String, size: Int)
    }

    static func write(_ members: [Member], to url: URL, zstd: Bool = true) throws {
        let archive = archive_write_new()!
        defer { archive_write_free(archive) }
        archive_write_set_format_pax_restricted(archive)
        if zstd { archive_write_add_filter_zstd(archive) }
        guard archive_write_open_filename(archive, url.path) == ARCHIVE_OK else {
            throw NSError(domain: "HostileArchive", code: 1)
        }
        for member in members {
            let entry = archive_entry_new()!
            defer { archive_entry_free(entry) }
            var data = Data()
            switch member {
            case .file(let path, let text):
                archive_entry_set_pathname(entry, path)
                archive_entry_set_filetype(entry, 0o100000)
                data = Data(text.utf8)
            case .sizedFile(let path, let size):
                archive_entry_set_pathname(entry, path)
                archive_entry_set_filetype(entry, 0o100000)
                data = Data(repeating: 0x61, count: size)
            case .directory(let path):
                archive_entry_set_pathname(entry, path)
                archive_entry_set_filetype(entry, 0o040000)
            case .symlink(let path, let target):
                archive_entry_set_pathname(entry, path)
                archive_entry_set_filetype(entry, 0o120000)
                archive_entry_set_symlink(entry, target)
            case .hardlink(let path, let target):
                archive_entry_set_pathname(entry, path)
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_hardlink(entry, target)
            case .characterDevice(let path):
                archive_entry_set_pathname(entry, path)
                archive_entry_set_filetype(entry, 0o020000)
                archive_entry_set_rdevmajor(entry, 1)
                archive_entry_set_rdevminor(entry, 3)
            case .fifo(let path):
                archive_entry_set_pathname(entry, path)
                archive_entry_set_filetype(entry, 0o010000)
            }
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_size(entry, Int64(data.count))
            guard archive_write_header(archive, entry) == ARCHIVE_OK else {
                throw NSError(domain: "HostileArchive", code: 2, userInfo: [NSLocalizedDescriptionKey: String(cString: archive_error_string(archive))])
            }
            if !data.isEmpty {
                _ = data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
            }
        }
        archive_write_close(archive)
    }
}
