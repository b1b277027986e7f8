import Foundation

/// Loads an experiment: YAML → located nodes → overrides → schema decoding with defaults → cross-checks → typed experiment.
/// Every problem found on the way is collected and thrown together as `SpecErrors`.
public enum SpecLoader {
    /// Reads and loads the spec at `path`; relative paths inside it resolve against its folder.
    public static func load(path: String, overrides: [String] = []) throws -> ResolvedSpec {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw SpecErrors(diagnostics: [SpecDiagnostic(location: SourceLocation(file: path, line: 1, column: 1), keyPath: "",
                    expected: "UTF-8 text", found: "bytes that are not UTF-8", hint: "save the file as UTF-8")])
            }
            text = decoded
        } catch let error as SpecErrors {
            throw error
        } catch {
            throw SpecErrors(diagnostics: [SpecDiagnostic(location: SourceLocation(file: path, line: 1, column: 1), keyPath: "",
                expected: "a readable spec file", found: "it unreadable (\(error.localizedDescription))",
                hint: "check the path")])
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try load(text: text, fileName: path, baseDirectory: directory.isEmpty ? "." : directory,
                        overrides: overrides, sourcePath: path)
    }

    /// Loads spec text; `fileName` is used in locations, `baseDirectory` for resolving relative paths.
    public static func load(text: String, fileName: String, baseDirectory: String, overrides: [String] = []) throws -> ResolvedSpec {
        try load(text: text, fileName: fileName, baseDirectory: baseDirectory, overrides: overrides, sourcePath: nil)
    }

    static func load(text: String, fileName: String, baseDirectory: String, overrides: [String], sourcePath: String?) throws -> ResolvedSpec {
        let parsed = YAMLParser(fileName: fileName).parse(text)
        var diagnostics = parsed.diagnostics
        let start = SourceLocation(file: fileName, line: 1, column: 1)
        guard var root = parsed.root else {
            if diagnostics.isEmpty {
                diagnostics.append(SpecDiagnostic(location: start, keyPath: "", expected: "an experiment mapping",
                                                  found: "an empty file", hint: "start from experiments/s1-mini.yaml"))
            }
            throw SpecErrors(diagnostics: diagnostics)
        }
        if case .scalar("", true) = root.content {
            diagnostics.append(SpecDiagnostic(location: root.location, keyPath: "", expected: "an experiment mapping",
                                              found: "an empty document", hint: "start from experiments/s1-mini.yaml"))
            throw SpecErrors(diagnostics: diagnostics)
        }
        Overrides.apply(overrides, to: &root, diagnostics: &diagnostics)
        let decoded = decode(root)
        diagnostics += decoded.diagnostics
        guard diagnostics.isEmpty, let base = decoded.spec(sourcePath: sourcePath, baseDirectory: baseDirectory) else {
            throw SpecErrors(diagnostics: dedupe(diagnostics))
        }
        let (variants, variantDiagnostics) = resolveVariants(of: base, root: root, sourcePath: sourcePath,
                                                             baseDirectory: baseDirectory, fileStart: start)
        diagnostics += variantDiagnostics
        guard diagnostics.isEmpty else { throw SpecErrors(diagnostics: dedupe(diagnostics)) }
        return base.with(variants: variants)
    }

    /// Each variant is the file (with the command line's overrides) minus `variants`, plus its own `set` items,
    /// decoded and checked like the file; problems name the variant.
    private static func resolveVariants(of base: ResolvedSpec, root: YAMLNode, sourcePath: String?, baseDirectory: String,
                                        fileStart: SourceLocation) -> ([ResolvedVariant], [SpecDiagnostic]) {
        var variants: [ResolvedVariant] = []
        var diagnostics: [SpecDiagnostic] = []
        for (index, variant) in base.experiment.variants.enumerated() {
            var variantRoot = root
            if case .mapping(let pairs) = variantRoot.content {
                variantRoot.content = .mapping(pairs.filter { $0.key != "variants" })
            }
            let items = variant.overrides.enumerated().map { item in
                Overrides.Item(text: item.element, fileLocation: setItemLocation(in: root, variant: index, item: item.offset))
            }
            var variantDiagnostics: [SpecDiagnostic] = []
            // The seed tree's root and the backend are the run's, shared by every configuration of the file.
            for item in items {
                let path = String(item.text.prefix { $0 != "=" }).trimmingWhitespace
                guard case .key(let key)? = KeyPathSegment.parse(path)?.first,
                      ["seed", "backend", "variants"].contains(key) else { continue }
                variantDiagnostics.append(SpecDiagnostic(
                    location: item.fileLocation ?? fileStart, keyPath: key, expected: "a key a variant may change",
                    found: "'\(item.text)'",
                    hint: "`\(key)` is shared by every variant of a run; set it for the whole file (or with --set)"))
            }
            Overrides.apply(items, to: &variantRoot, diagnostics: &variantDiagnostics)
            let decodedVariant = decode(variantRoot)
            variantDiagnostics += decodedVariant.diagnostics
            if variantDiagnostics.isEmpty, let spec = decodedVariant.spec(sourcePath: sourcePath, baseDirectory: baseDirectory) {
                variants.append(ResolvedVariant(name: variant.name, overrides: variant.overrides, spec: spec))
            } else {
                diagnostics += variantDiagnostics.map { $0.inVariant(variant.name) }
            }
        }
        return (variants, diagnostics)
    }

    /// A YAML tree decoded against the schema, with cross-checks: the typed spec when nothing is wrong.
    private struct Decoded {
        let tree: SpecValue?
        let origins: [String: ValueOrigin]
        let diagnostics: [SpecDiagnostic]

        func spec(sourcePath: String?, baseDirectory: String) -> ResolvedSpec? {
            guard diagnostics.isEmpty, let tree else { return nil }
            return ResolvedSpec(experiment: ExperimentBuilder.build(tree), tree: tree, sourcePath: sourcePath,
                                baseDirectory: baseDirectory, origins: origins)
        }
    }

    private static func decode(_ root: YAMLNode) -> Decoded {
        var decoder = SchemaDecoder(keyIndex: ExperimentSchema.keyIndex)
        let tree = decoder.decode(root, as: .record(ExperimentSchema.root), path: "")
        var diagnostics = decoder.diagnostics
        // Cross-checks also run on a partly invalid tree, so reference errors show with type errors in one pass.
        var partial = SchemaDecoder(keyIndex: ExperimentSchema.keyIndex)
        let bestEffort = tree ?? partial.decodeLeniently(root)
        var cross = CrossChecks(tree: bestEffort, locations: tree != nil ? decoder.locations : partial.locations, rootLocation: root.location)
        diagnostics += cross.run()
        return Decoded(tree: tree, origins: decoder.origins, diagnostics: diagnostics)
    }

    /// Where `variants[variant].set[item]` is written: its first character (inside the quotes when quoted).
    private static func setItemLocation(in root: YAMLNode, variant: Int, item: Int) -> SourceLocation? {
        func child(_ node: YAMLNode, _ key: String) -> YAMLNode? {
            guard case .mapping(let pairs) = node.content else { return nil }
            return pairs.first { $0.key == key }?.value
        }
        func element(_ node: YAMLNode?, _ index: Int) -> YAMLNode? {
            guard let node, case .sequence(let items) = node.content, index < items.count else { return nil }
            return items[index]
        }
        guard let variantNode = element(child(root, "variants"), variant),
              let setNode = element(child(variantNode, "set"), item) else { return nil }
        guard case .scalar(_, let plain) = setNode.content, !plain else { return setNode.location }
        let at = setNode.location
        return SourceLocation(file: at.file, line: at.line, column: at.column + 1)
    }

    private static func dedupe(_ list: [SpecDiagnostic]) -> [SpecDiagnostic] {
        var seen = Set<SpecDiagnostic>()
        return list.filter { seen.insert($0).inserted }
    }
}

extension SchemaDecoder {
    /// The tree as written, without schema typing: scalars resolved by YAML rules. Used only so
    /// cross-checks can still name unknown references when other parts of the spec are invalid.
    mutating func decodeLeniently(_ node: YAMLNode, path: String = "") -> SpecValue {
        locations[path] = node.location
        switch node.content {
        case .scalar(let text, let plain): return ScalarResolver.resolve(text, plain: plain, tag: node.tag)
        case .sequence(let items):
            return .list(items.enumerated().map { decodeLeniently($1, path: KeyPathSegment.join(path, index: $0)) })
        case .mapping(let pairs):
            var m: [String: SpecValue] = [:]
            for p in pairs { m[p.key] = decodeLeniently(p.value, path: KeyPathSegment.join(path, p.key)) }
            return .map(m)
        }
    }
}
