import Foundation
import S1Store

/// `s1 verify` and `s1 extract` as text a reviewer reads.
public enum RunArchiveCheck {
    public struct Report {
        public let intact: Bool
        public let text: String
    }

    public static func verify(_ path: String) throws -> Report {
        let verification = try RunArchive.verify(URL(fileURLWithPath: path))
        var lines = [
            "archive    \(path)",
            "archive id \(verification.archiveID)",
            "run id     \(verification.runID ?? "— (no manifest.json)")",
            "members    \(verification.memberCount)",
        ]
        if verification.isValid {
            lines.append("OK: every member matches the manifest, and the manifest matches the run id")
        } else {
            lines.append("FAILED: \(verification.problems.count) problem(s)")
            lines += verification.problems.map { "  \($0)" }
        }
        return Report(intact: verification.isValid, text: lines.joined(separator: "\n"))
    }

    /// Extracts after the archive's own safety checks (paths, links, devices, sizes); returns the member count.
    public static func extract(_ archive: String, into directory: String) throws -> Int {
        try RunArchive.extract(URL(fileURLWithPath: archive), into: URL(fileURLWithPath: directory)).count
    }
}
