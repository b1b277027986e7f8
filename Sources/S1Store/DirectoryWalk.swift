import Foundation

/// One regular file or directory found under a root, by relative path with `/` separators.
struct WalkedItem: Equatable {
    enum Kind: Equatable { case file, directory }
    var relativePath: String
    var kind: Kind
    /// Normalised mode: 0755 when any execute bit is set (and for directories), else 0644.
    var mode: UInt16
    var size: Int64
}

/// Lists everything under `root` (not `root` itself), sorted by path bytes. Symlinks, devices, fifos and
/// sockets are refused: a run's outputs are plain files, and following a link would make the content depend
/// on what lies outside the run.
func walkDirectory(_ root: URL) throws -> [WalkedItem] {
    var items = [WalkedItem]()
    try walk(root.path, relative: "", into: &items)
    return items.sorted { Array($0.relativePath.utf8).lexicographicallyPrecedes(Array($1.relativePath.utf8)) }
}

private func walk(_ absolute: String, relative: String, into items: inout [WalkedItem]) throws {
    let names: [String]
    do {
        names = try FileManager.default.contentsOfDirectory(atPath: absolute)
    } catch {
        throw StoreIOError(operation: "list directory", path: absolute, reason: error.localizedDescription)
    }
    for name in names {
        let childAbsolute = absolute + "/" + name
        let childRelative = relative.isEmpty ? name : relative + "/" + name
        var info = stat()
        guard lstat(childAbsolute, &info) == 0 else { throw StoreIOError.errno("lstat", childAbsolute) }
        let type = info.st_mode & S_IFMT
        let executable = (info.st_mode & 0o111) != 0
        switch type {
        case S_IFREG:
            items.append(WalkedItem(
                relativePath: childRelative, kind: .file, mode: executable ? 0o755 : 0o644,
                size: Int64(info.st_size)))
        case S_IFDIR:
            items.append(WalkedItem(relativePath: childRelative, kind: .directory, mode: 0o755, size: 0))
            try walk(childAbsolute, relative: childRelative, into: &items)
        default:
            throw UnsupportedFileError(path: childAbsolute, kind: fileKindName(type))
        }
    }
}

func fileKindName(_ type: mode_t) -> String {
    switch type {
    case S_IFLNK: return "symbolic link"
    case S_IFCHR: return "character device"
    case S_IFBLK: return "block device"
    case S_IFIFO: return "fifo"
    case S_IFSOCK: return "socket"
    case S_IFDIR: return "directory"
    case S_IFREG: return "regular file"
    default: return "unknown file type"
    }
}

/// A run directory holds something other than regular files and directories.
public struct UnsupportedFileError: Error, Equatable, CustomStringConvertible, Sendable {
    public let path: String
    public let kind: String
    public var description: String {
        "\(path): expected a regular file or directory, found a \(kind); runs may hold only plain files "
            + "(copy the target instead of linking it)"
    }
}
