import CYAML

/// Parses YAML text with libyaml's event API into one located `YAMLNode` tree.
///
/// Anchors and aliases are expanded (an alias is a copy of the anchored node, with the anchor's
/// locations). Merge keys (`<<`) merge a mapping or a list of mappings; explicit keys win.
/// Duplicate keys are reported and the first occurrence is kept. A syntax error stops the parse
/// and is reported at libyaml's position.
public struct YAMLParser {
    public let fileName: String
    /// Added to every line (for override values, where the "line" is the override's index).
    let lineOverride: Int?
    let columnOffset: Int
    let origin: (SourceLocation) -> ValueOrigin

    public init(fileName: String) {
        self.fileName = fileName
        self.lineOverride = nil
        self.columnOffset = 0
        self.origin = { .file($0) }
    }

    init(fileName: String, lineOverride: Int?, columnOffset: Int, origin: @escaping (SourceLocation) -> ValueOrigin) {
        self.fileName = fileName
        self.lineOverride = lineOverride
        self.columnOffset = columnOffset
        self.origin = origin
    }

    /// The parsed root (nil for an empty document) and every problem found.
    public func parse(_ text: String) -> (root: YAMLNode?, diagnostics: [SpecDiagnostic]) {
        var session = Session(parser: self)
        return session.run(text)
    }

    func location(_ mark: yaml_mark_t) -> SourceLocation {
        if let lineOverride {
            // An override value is one line; libyaml reports its end as the start of a next line, so map that to the end.
            let column = mark.line > 0 ? Int(mark.index) : Int(mark.column)
            return SourceLocation(file: fileName, line: lineOverride, column: column + 1 + columnOffset)
        }
        return SourceLocation(file: fileName, line: Int(mark.line) + 1, column: Int(mark.column) + 1 + columnOffset)
    }

    private struct Session {
        let parser: YAMLParser
        var anchors: [String: YAMLNode] = [:]
        var diagnostics: [SpecDiagnostic] = []
        var raw = yaml_parser_t()
        var syntaxError = false

        init(parser: YAMLParser) { self.parser = parser }

        mutating func run(_ text: String) -> (root: YAMLNode?, diagnostics: [SpecDiagnostic]) {
            var bytes = Array(text.utf8)
            guard yaml_parser_initialize(&raw) != 0 else {
                let loc = SourceLocation(file: parser.fileName, line: 1, column: 1)
                return (nil, [SpecDiagnostic(location: loc, keyPath: "", expected: "a YAML parser", found: "libyaml could not initialise (out of memory)")])
            }
            defer { yaml_parser_delete(&raw) }
            var root: YAMLNode?
            bytes.withUnsafeMutableBufferPointer { buf in
                yaml_parser_set_input_string(&raw, buf.baseAddress, buf.count)
                root = parseStream()
            }
            return (syntaxError ? nil : root, diagnostics)
        }

        /// Next event, or nil after reporting a syntax error. The caller deletes the event.
        mutating func next() -> yaml_event_t? {
            var event = yaml_event_t()
            if yaml_parser_parse(&raw, &event) == 0 {
                reportSyntaxError()
                return nil
            }
            return event
        }

        mutating func reportSyntaxError() {
            syntaxError = true
            let problem = raw.problem.map { String(cString: $0) } ?? "malformed YAML"
            var found = problem
            if let context = raw.context.map({ String(cString: $0) }) {
                found = "\(problem) (\(context) at line \(raw.context_mark.line + 1), column \(raw.context_mark.column + 1))"
            }
            diagnostics.append(SpecDiagnostic(
                location: parser.location(raw.problem_mark), keyPath: "",
                expected: "valid YAML", found: found,
                hint: "check indentation, quotes and brackets near this position"))
        }

        mutating func parseStream() -> YAMLNode? {
            var root: YAMLNode?
            var documents = 0
            while var event = next() {
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return root
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    let start = parser.location(event.start_mark)
                    anchors = [:]
                    guard let node = parseDocumentBody() else { return nil }
                    if documents == 1 {
                        root = node
                    } else {
                        diagnostics.append(SpecDiagnostic(location: start, keyPath: "", expected: "a single YAML document",
                                                          found: "document #\(documents)", hint: "remove the extra `---` section"))
                    }
                default:
                    continue
                }
            }
            return nil
        }

        /// Parses the node of a document and consumes DOCUMENT-END. Returns an empty-scalar node for an empty document.
        mutating func parseDocumentBody() -> YAMLNode? {
            guard var event = next() else { return nil }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_DOCUMENT_END_EVENT {
                return YAMLNode(content: .scalar("", plain: true), location: parser.location(event.start_mark),
                                origin: parser.origin(parser.location(event.start_mark)))
            }
            guard let node = parseNode(event, path: "") else { return nil }
            guard var end = next() else { return nil }
            yaml_event_delete(&end)
            return node
        }

        static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            guard let p else { return nil }
            return String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
        }

        mutating func parseNode(_ event: yaml_event_t, path: String) -> YAMLNode? {
            let loc = parser.location(event.start_mark)
            let origin = parser.origin(loc)
            switch event.type {
            case YAML_ALIAS_EVENT:
                let name = Session.string(event.data.alias.anchor) ?? ""
                guard let target = anchors[name] else {
                    diagnostics.append(SpecDiagnostic(location: loc, keyPath: path, expected: "an alias of a defined anchor",
                                                      found: "*\(name)", hint: "define `&\(name)` before using `*\(name)`"))
                    // Already reported: mark it so the decoder does not report a second, derived error.
                    return YAMLNode(content: .scalar("", plain: true), location: loc, origin: origin, tag: YAMLNode.reportedTag)
                }
                return target
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let bytes = UnsafeBufferPointer(start: s.value, count: Int(s.length))
                let text = String(decoding: bytes, as: UTF8.self)
                let tag = Session.string(s.tag)
                let node = YAMLNode(content: .scalar(text, plain: s.style == YAML_PLAIN_SCALAR_STYLE),
                                    location: loc, origin: origin, tag: tag)
                if let anchor = Session.string(s.anchor) { anchors[anchor] = node }
                return node
            case YAML_SEQUENCE_START_EVENT:
                let anchor = Session.string(event.data.sequence_start.anchor)
                var items: [YAMLNode] = []
                while true {
                    guard var child = next() else { return nil }
                    defer { yaml_event_delete(&child) }
                    if child.type == YAML_SEQUENCE_END_EVENT { break }
                    guard let item = parseNode(child, path: KeyPathSegment.join(path, index: items.count)) else { return nil }
                    items.append(item)
                }
                let node = YAMLNode(content: .sequence(items), location: loc, origin: origin,
                                    tag: Session.string(event.data.sequence_start.tag))
                if let anchor { anchors[anchor] = node }
                return node
            case YAML_MAPPING_START_EVENT:
                let anchor = Session.string(event.data.mapping_start.anchor)
                guard let node = parseMapping(loc, origin: origin, tag: Session.string(event.data.mapping_start.tag), path: path) else { return nil }
                if let anchor { anchors[anchor] = node }
                return node
            default:
                diagnostics.append(SpecDiagnostic(location: loc, keyPath: "", expected: "a YAML node", found: "an unexpected parser event"))
                return nil
            }
        }

        mutating func parseMapping(_ loc: SourceLocation, origin: ValueOrigin, tag: String?, path: String) -> YAMLNode? {
            var pairs: [(key: String, keyLocation: SourceLocation, value: YAMLNode)] = []
            var seen: [String: SourceLocation] = [:]
            var merges: [YAMLNode] = []
            while true {
                guard var keyEvent = next() else { return nil }
                defer { yaml_event_delete(&keyEvent) }
                if keyEvent.type == YAML_MAPPING_END_EVENT { break }
                guard let keyNode = parseNode(keyEvent, path: path) else { return nil }
                guard var valueEvent = next() else { return nil }
                defer { yaml_event_delete(&valueEvent) }
                let keyText: String
                if case .scalar(let k, _) = keyNode.content { keyText = k } else { keyText = "?" }
                guard let value = parseNode(valueEvent, path: KeyPathSegment.join(path, keyText)) else { return nil }
                guard case .scalar(let key, let plain) = keyNode.content else {
                    diagnostics.append(SpecDiagnostic(location: keyNode.location, keyPath: path, expected: "a plain string key",
                                                      found: keyNode.foundDescription, hint: "keys of an experiment are names"))
                    continue
                }
                if key == "<<" && plain {
                    merges.append(value)
                    continue
                }
                if let first = seen[key] {
                    diagnostics.append(SpecDiagnostic(
                        location: keyNode.location, keyPath: KeyPathSegment.join(path, key), expected: "each key once per mapping",
                        found: "duplicate key '\(key)' (first at \(first))",
                        hint: "remove one of them; the first is used"))
                    continue
                }
                seen[key] = keyNode.location
                pairs.append((key, keyNode.location, value))
            }
            // Merge keys: later merge sources do not override earlier ones; explicit keys win over all.
            for merge in merges {
                let sources: [YAMLNode]
                switch merge.content {
                case .mapping: sources = [merge]
                case .sequence(let list): sources = list
                case .scalar: sources = [merge]
                }
                for source in sources {
                    guard case .mapping(let inherited) = source.content else {
                        diagnostics.append(SpecDiagnostic(location: source.location, keyPath: KeyPathSegment.join(path, "<<"), expected: "a mapping (or list of mappings) to merge",
                                                          found: source.foundDescription, hint: "merge an anchored mapping, e.g. `<<: *defaults`"))
                        continue
                    }
                    for pair in inherited where seen[pair.key] == nil {
                        seen[pair.key] = pair.keyLocation
                        pairs.append(pair)
                    }
                }
            }
            return YAMLNode(content: .mapping(pairs), location: loc, origin: origin, tag: tag)
        }
    }
}
