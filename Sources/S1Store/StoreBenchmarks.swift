import Foundation

/// Entry points for `scripts/bench-store.sh`, wired by the CLI as `s1 hash FILE` and
/// `s1 archive-dir DIR OUT`. They do the same work as the Runner's paths, with a one-line result.
public enum StoreBenchmarks {
    /// `sha256:<hex>  <path>` for a file (what `s1 hash FILE` prints).
    public static func hashLine(file path: String) throws -> String {
        "\(try ContentHasher.digest(ofFile: path))  \(path)"
    }

    /// Archives `directory` (root folder = its last path component) into `output`; returns
    /// `<archive id>  <output>` (what `s1 archive-dir DIR OUT` prints).
    public static func archiveLine(directory: URL, output: URL) throws -> String {
        let identity = try RunArchive.write(
            directory: directory, rootName: directory.standardizedFileURL.lastPathComponent, to: output,
            sourceDateEpoch: try RunArchive.sourceDateEpochFromEnvironment())
        return "\(identity)  \(output.path)"
    }
}
