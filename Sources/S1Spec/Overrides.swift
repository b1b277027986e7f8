/// `--set key.path=value` overrides: the value is parsed as a YAML flow value and grafted into the
/// located tree before decoding, so the schema types it exactly like a value written in the file.
/// A variant's `set:` items use the same syntax and are applied the same way, located in the spec file.
enum Overrides {
    /// One `key.path=value` text and where it was written: on the command line (`--set #n`) or in the file.
    struct Item {
        let text: String
        /// The first character's location in the file; nil for the command line.
        let fileLocation: SourceLocation?
    }

    /// Applies each command-line override in order to `root`; problems are reported at `--set #n:col`.
    static func apply(_ overrides: [String], to root: inout YAMLNode, diagnostics: inout [SpecDiagnostic]) {
        apply(overrides.map { Item(text: $0, fileLocation: nil) }, to: &root, diagnostics: &diagnostics)
    }

    static func apply(_ overrides: [Item], to root: inout YAMLNode, diagnostics: inout [SpecDiagnostic]) {
        for (i, item) in overrides.enumerated() {
            let text = item.text
            let ordinal = i + 1
            let at = { (column: Int) -> SourceLocation in
                guard let start = item.fileLocation else {
                    return SourceLocation(file: SourceLocation.overrideFile, line: ordinal, column: column)
                }
                return SourceLocation(file: start.file, line: start.line, column: start.column + column - 1)
            }
            guard let eq = text.firstIndex(of: "=") else {
                diagnostics.append(SpecDiagnostic(location: at(1), keyPath: "", expected: "key.path=value",
                                                  found: "'\(text)'", hint: "e.g. --set train.lr=2e-3"))
                continue
            }
            let path = String(text[..<eq]).trimmingWhitespace
            guard let segments = KeyPathSegment.parse(path), !segments.isEmpty else {
                diagnostics.append(SpecDiagnostic(location: at(1), keyPath: path, expected: "a key path like train.adam.beta2 or evaluate.sweeps[0].name",
                                                  found: "'\(path)'", hint: "keys are separated by '.', list indices written [n]"))
                continue
            }
            let valueText = String(text[text.index(after: eq)...])
            let valueColumn = text.utf8.distance(from: text.startIndex, to: eq) + 2
            let valueStart = at(valueColumn)
            let parser = YAMLParser(fileName: valueStart.file, lineOverride: valueStart.line,
                                    columnOffset: valueStart.column - 1, origin: { _ in .override(text) })
            let parsed = parser.parse(valueText)
            diagnostics.append(contentsOf: parsed.diagnostics.map { d in
                SpecDiagnostic(location: d.location, keyPath: path, expected: d.expected, found: d.found, hint: d.hint)
            })
            guard let value = parsed.root else { continue }
            graft(value, at: segments[...], into: &root, walked: "", location: at(1), text: text, diagnostics: &diagnostics)
        }
    }

    private static func graft(_ value: YAMLNode, at segments: ArraySlice<KeyPathSegment>, into node: inout YAMLNode,
                              walked: String, location: SourceLocation, text: String, diagnostics: inout [SpecDiagnostic]) {
        guard let first = segments.first else {
            node = value
            return
        }
        let rest = segments.dropFirst()
        switch first {
        case .key(let key):
            let path = KeyPathSegment.join(walked, key)
            // An empty or absent value becomes a mapping, so `--set train.adam.beta1=…` works without `train:` in the file.
            if case .scalar("", true) = node.content { node.content = .mapping([]) }
            guard case .mapping(var pairs) = node.content else {
                diagnostics.append(SpecDiagnostic(location: location, keyPath: walked, expected: "a mapping to set '\(key)' in",
                                                  found: node.foundDescription, hint: "set '\(walked)' itself instead"))
                return
            }
            if let i = pairs.firstIndex(where: { $0.key == key }) {
                graft(value, at: rest, into: &pairs[i].value, walked: path, location: location, text: text, diagnostics: &diagnostics)
            } else {
                var child = YAMLNode(content: .mapping([]), location: location, origin: .override(text))
                if rest.isEmpty { child = value }
                else { graft(value, at: rest, into: &child, walked: path, location: location, text: text, diagnostics: &diagnostics) }
                pairs.append((key, location, child))
            }
            node.content = .mapping(pairs)
        case .index(let index):
            let path = KeyPathSegment.join(walked, index: index)
            guard case .sequence(var items) = node.content else {
                diagnostics.append(SpecDiagnostic(location: location, keyPath: walked, expected: "a list to index with [\(index)]",
                                                  found: node.foundDescription))
                return
            }
            guard index < items.count else {
                diagnostics.append(SpecDiagnostic(location: location, keyPath: path, expected: "an index below \(items.count)",
                                                  found: "index \(index)", hint: "'\(walked)' has \(items.count) item\(items.count == 1 ? "" : "s")"))
                return
            }
            graft(value, at: rest, into: &items[index], walked: path, location: location, text: text, diagnostics: &diagnostics)
            node.content = .sequence(items)
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
