import Foundation

extension RunArchive {
    /// Extracts an archive into `directory` (which must not exist, or be empty), refusing anything unsafe.
    ///
    /// Two passes. The first reads every header and rejects, before anything is written: absolute paths,
    /// `..`/`.`/empty components, every symbolic and hard link (run archives hold none, so refusing them all
    /// is simpler and safer than resolving where they point), devices, fifos, sockets, duplicate or
    /// conflicting paths, members over `limits.maxMemberBytes`, a total over `limits.maxTotalBytes`, more
    /// than `limits.maxMembers` members. The second pass writes into a fresh temp directory beside
    /// `directory` (files created with O_EXCL|O_NOFOLLOW, headers re-checked against the first pass in case
    /// the archive changed), then renames it into place. On any error the temp directory is removed, so
    /// nothing is left outside or inside `directory`.
    /// - Returns: the extracted member paths (without trailing `/`), in archive order.
    @discardableResult
    public static func extract(_ archive: URL, into directory: URL, limits: ExtractionLimits = .default) throws -> [String] {
        try withUTF8Locale { try extractArchive(archive, into: directory, limits: limits) }
    }

    private static func extractArchive(_ archive: URL, into directory: URL, limits: ExtractionLimits) throws -> [String] {
        let destination = directory.standardizedFileURL
        try requireEmptyOrAbsent(destination.path)
        let plan = try validate(archive, limits: limits)

        let parent = destination.deletingLastPathComponent().path
        try makeDirectories(parent)
        let staging = parent + "/." + destination.lastPathComponent + ".extract-\(getpid())"
        _ = try? FileManager.default.removeItem(atPath: staging)
        guard mkdir(staging, 0o755) == 0 else { throw StoreIOError.errno("create staging directory", staging) }
        do {
            try write(archive, plan: plan, into: staging)
            try requireEmptyOrAbsent(destination.path)
            if rename(staging, destination.path) != 0 {
                let code = errno
                if code == ENOTEMPTY || code == EEXIST { throw ArchiveError.destinationNotEmpty(path: destination.path) }
                throw StoreIOError(operation: "rename \(staging) to", path: destination.path, code: code)
            }
            try syncDirectory(parent)
        } catch {
            _ = try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        return plan.map { $0.normalizedPath }
    }

    private static func requireEmptyOrAbsent(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFDIR,
            (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true
        else { throw ArchiveError.destinationNotEmpty(path: path) }
    }

    /// First pass: every header checked, nothing written.
    private static func validate(_ archive: URL, limits: ExtractionLimits) throws -> [ArchiveMember] {
        let reader = try TarStreamReader(url: archive)
        var plan = [ArchiveMember]()
        var files = Set<String>()
        var directories = Set<String>()
        var total: Int64 = 0
        while let member = try reader.nextMember() {
            guard plan.count < limits.maxMembers else { throw ArchiveError.tooManyMembers(limit: limits.maxMembers) }
            try checkSafe(member)
            let path = member.normalizedPath
            let components = path.split(separator: "/")
            for depth in 1..<max(components.count, 1) {
                let ancestor = components[0..<depth].joined(separator: "/")
                if files.contains(ancestor) {
                    throw ArchiveError.conflictingMember(
                        member: member.path, reason: "its parent \"\(ancestor)\" is a regular file in this archive")
                }
                directories.insert(ancestor)
            }
            guard !files.contains(path) else { throw ArchiveError.duplicateMember(member: member.path) }
            switch member.kind {
            case .directory:
                directories.insert(path)
            default:
                guard !directories.contains(path) else {
                    throw ArchiveError.conflictingMember(
                        member: member.path, reason: "a directory of the same path occurs in this archive")
                }
                guard member.size <= limits.maxMemberBytes else {
                    throw ArchiveError.memberTooLarge(member: member.path, size: member.size, limit: limits.maxMemberBytes)
                }
                total += member.size
                guard total <= limits.maxTotalBytes else {
                    throw ArchiveError.totalTooLarge(member: member.path, total: total, limit: limits.maxTotalBytes)
                }
                files.insert(path)
            }
            plan.append(member)
        }
        return plan
    }

    /// Rejects a header whose path or type could write outside the destination, or anything but plain data.
    private static func checkSafe(_ member: ArchiveMember) throws {
        let path = member.normalizedPath
        if path.hasPrefix("/") {
            throw ArchiveError.unsafePath(member: member.path, reason: "its path is absolute")
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains("..") {
            throw ArchiveError.unsafePath(member: member.path, reason: "its path has a '..' component")
        }
        if !isSafeRelativePath(path) {
            throw ArchiveError.unsafePath(member: member.path, reason: "its path has an empty or '.' component")
        }
        switch member.kind {
        case .file, .directory:
            return
        case .symbolicLink(let target):
            throw ArchiveError.linkRejected(member: member.path, target: target, kind: member.kind.name)
        case .hardLink(let target):
            throw ArchiveError.linkRejected(member: member.path, target: target, kind: member.kind.name)
        default:
            throw ArchiveError.specialFileRejected(member: member.path, kind: member.kind.name)
        }
    }

    /// Second pass: writes the validated members under `staging`.
    private static func write(_ archive: URL, plan: [ArchiveMember], into staging: String) throws {
        let reader = try TarStreamReader(url: archive)
        var index = 0
        while let member = try reader.nextMember() {
            guard index < plan.count, plan[index] == member else {
                throw ArchiveError.inconsistentMember(
                    member: member.path, reason: "the archive changed between validation and extraction")
            }
            try checkSafe(member)
            index += 1
            let target = staging + "/" + member.normalizedPath
            try makeDirectories((target as NSString).deletingLastPathComponent)
            if member.kind == .directory {
                if mkdir(target, 0o755) != 0 && errno != EEXIST { throw StoreIOError.errno("create directory", target) }
                continue
            }
            let mode: mode_t = (member.mode & 0o111) != 0 ? 0o755 : 0o644
            let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            guard fd >= 0 else { throw StoreIOError.errno("create file", target) }
            defer { close(fd) }
            fchmod(fd, mode)
            let written = try reader.readData { chunk in
                var offset = 0
                while offset < chunk.count {
                    let count = Foundation.write(fd, chunk.baseAddress! + offset, chunk.count - offset)
                    if count < 0 {
                        if errno == EINTR { continue }
                        throw StoreIOError.errno("write", target)
                    }
                    offset += count
                }
            }
            guard written == member.size else {
                throw ArchiveError.inconsistentMember(
                    member: member.path, reason: "declares \(member.size) bytes but holds \(written)")
            }
            guard fsync(fd) == 0 else { throw StoreIOError.errno("fsync", target) }
        }
        guard index == plan.count else {
            throw ArchiveError.inconsistentMember(
                member: plan[index].path, reason: "the archive changed between validation and extraction")
        }
    }
}
