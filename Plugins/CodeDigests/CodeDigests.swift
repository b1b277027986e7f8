import Foundation
import PackagePlugin

/// Gives the target it is applied to (S1Runner) a generated `BuildCodeDigests`: the SHA-256 of the source files
/// of every module of this package that the target is built from, the modules' dependency edges, and the
/// compiler's version. Step keys hash these instead of the executable's bytes, so two builds of the same sources
/// key alike wherever they were built, and a change to one module's files reruns only the steps built from it.
///
/// The hashing itself is `scripts/code-digests.sh` (sha256sum over the files' bytes and module-relative
/// paths), so that a test can run the same computation on a copy of the sources in another folder. The build
/// runs it again whenever one of the listed files changes.
@main
struct CodeDigests: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("BuildCodeDigests.swift")
        var arguments = [output.path, (try? context.tool(named: "swiftc").url.path) ?? "swiftc"]
        var inputs: [URL] = []
        let modules = [target] + target.recursiveTargetDependencies
        for module in modules {
            guard let source = module as? SourceModuleTarget else { continue }
            let dependencies = module.recursiveTargetDependencies.compactMap { $0 as? SourceModuleTarget }.map(\.name)
            // Files are named by their path inside their module ("S1Engine/Kernels/Linear.swift"), so neither the
            // package's folder nor the build folder (where dependency packages are checked out) enters a digest.
            var units: [String: [(label: String, file: URL)]] = [:]
            for file in files(of: source, packageDirectory: context.package.directoryURL) {
                let relative = String(file.path.dropFirst(source.directoryURL.path.count + 1))
                var unit = module.name
                // The target's own files are split by top-level folder ("S1Runner/Steps"): the step
                // implementations are keyed apart from the planner and the record writer, which decide keys but
                // never a step's output bytes.
                if module.id == target.id, let folder = relative.split(separator: "/").dropLast().first {
                    unit += "/" + folder
                }
                units[unit, default: []].append((module.name + "/" + relative, file))
            }
            for (unit, files) in units.sorted(by: { $0.key < $1.key }) {
                // A folder of the target lists no dependencies: the step kinds name the modules they use.
                let listed = unit == module.name ? dependencies.sorted() : []
                arguments += ["@unit", unit, listed.joined(separator: ",")]
                for file in files { arguments += [file.label, file.file.path] }
                inputs += files.map(\.file)
            }
        }
        let script = context.package.directoryURL.appendingPathComponent("scripts/code-digests.sh")
        return [.buildCommand(displayName: "Hashing the sources of \(target.name) and its modules",
                              executable: URL(fileURLWithPath: "/bin/sh"), arguments: [script.path] + arguments,
                              inputFiles: inputs + [script], outputFiles: [output])]
    }

    /// Every regular file under a module of this package (headers and resource folders included: SwiftPM's
    /// `sourceFiles` lists a C target's sources without its headers, and a copied resource folder as one entry);
    /// for a dependency package's module, its source files.
    func files(of module: SourceModuleTarget, packageDirectory: URL) -> [URL] {
        let local = module.directoryURL.path.hasPrefix(packageDirectory.path + "/")
        let roots = local ? [module.directoryURL] : module.sourceFiles.map(\.url)
        var result: [URL] = []
        for root in roots {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else { continue }
            guard isDirectory.boolValue else { result.append(root); continue }
            let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                      options: [.skipsHiddenFiles])
            while let file = walk?.nextObject() as? URL {
                if (try? file.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true { result.append(file) }
            }
        }
        return result.sorted { $0.path < $1.path }
    }
}
