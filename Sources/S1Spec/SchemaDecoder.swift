/// Walks a located YAML tree against the schema: types values, fills defaults, checks ranges and
/// record constraints, and records every problem (it never stops at the first).
struct SchemaDecoder {
    var diagnostics: [SpecDiagnostic] = []
    /// Origin and location of every value in the resolved tree, keyed by key path.
    var origins: [String: ValueOrigin] = [:]
    var locations: [String: SourceLocation] = [:]
    /// All key paths of the whole schema, to say where a misplaced key belongs.
    let keyIndex: [String: [String]]

    init(keyIndex: [String: [String]]) { self.keyIndex = keyIndex }

    mutating func report(_ node: YAMLNode, _ path: String, _ expected: String, hint: String = "") {
        diagnostics.append(SpecDiagnostic(location: node.location, keyPath: path, expected: expected,
                                          found: node.foundDescription, hint: hint))
    }

    mutating func decode(_ node: YAMLNode, as type: SchemaType, path: String) -> SpecValue? {
        if node.tag == YAMLNode.reportedTag { return nil }
        let value = decodeValue(node, as: type, path: path)
        if value != nil {
            origins[path] = node.origin
            locations[path] = node.location
        }
        return value
    }

    private mutating func scalar(_ node: YAMLNode) -> SpecValue? {
        guard case .scalar(let text, let plain) = node.content else { return nil }
        return ScalarResolver.resolve(text, plain: plain, tag: node.tag)
    }

    private mutating func decodeValue(_ node: YAMLNode, as type: SchemaType, path: String) -> SpecValue? {
        switch type {
        case .bool:
            if case .bool(let b)? = scalar(node) { return .bool(b) }
            report(node, path, type.expectation, hint: "write true or false without quotes")
            return nil
        case .int(let range):
            switch scalar(node) {
            case .int(let i)?:
                if range.contains(i) { return .int(i) }
                report(node, path, type.expectation)
                return nil
            case .double(let d)? where d.isFinite && d == d.rounded() && abs(d) < 1e15:
                report(node, path, type.expectation, hint: "write it without a fraction: \(Int(d))")
                return nil
            default:
                report(node, path, type.expectation)
                return nil
            }
        case .double(let range):
            let number: Double
            switch scalar(node) {
            case .int(let i)?: number = Double(i)
            case .double(let d)?: number = d
            case .string(let s)? where ScalarResolver.resolve(s, plain: true, tag: nil).doubleValue != nil:
                report(node, path, type.expectation, hint: "remove the quotes")
                return nil
            default:
                report(node, path, type.expectation)
                return nil
            }
            if range.contains(number) { return .double(number) }
            report(node, path, type.expectation)
            return nil
        case .string, .path:
            if case .string(let s)? = scalar(node), !s.isEmpty { return .string(s) }
            report(node, path, type.expectation, hint: scalarHint(node))
            return nil
        case .name:
            if case .string(let s)? = scalar(node), !s.isEmpty,
               s.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }) {
                return .string(s)
            }
            report(node, path, type.expectation, hint: scalarHint(node))
            return nil
        case .choice(let options):
            if case .scalar(let text, _) = node.content, options.contains(text) { return .string(text) }
            var hint = ""
            if case .scalar(let text, _) = node.content, let near = EditDistance.closest(to: text, among: options) {
                hint = "did you mean '\(near)'?"
            }
            report(node, path, type.expectation, hint: hint)
            return nil
        case .list(let itemType, let rule):
            return decodeList(node, item: itemType, rule: rule, path: path, type: type)
        case .record(let record):
            if case .scalar(let text, _) = node.content, let key = record.shorthandKey, !text.isEmpty {
                var expanded = node
                expanded.content = .mapping([(key, node.location, node)])
                return decodeRecord(expanded, record, path: path)
            }
            return decodeRecord(node, record, path: path)
        case .either(let options):
            return decodeEither(node, options, path: path, type: type)
        }
    }

    private func scalarHint(_ node: YAMLNode) -> String {
        if case .scalar(let text, true) = node.content, !text.isEmpty { return "quote it to make it a string: \"\(text)\"" }
        return ""
    }

    private mutating func decodeList(_ node: YAMLNode, item: SchemaType, rule: ListRule, path: String, type: SchemaType) -> SpecValue? {
        let items: [YAMLNode]
        var shorthand = false
        switch node.content {
        case .sequence(let list): items = list
        case .scalar(let text, _) where rule.scalarShorthand && !text.isEmpty: items = [node]; shorthand = true
        default:
            report(node, path, type.expectation)
            return nil
        }
        if rule.nonEmpty && items.isEmpty {
            report(node, path, type.expectation, hint: "give at least one item, or remove the key")
            return nil
        }
        var values: [SpecValue] = []
        var ok = true
        for (i, child) in items.enumerated() {
            let childPath = KeyPathSegment.join(path, index: i)
            // A shorthand scalar is reported at the key the user wrote, not at an index they never wrote.
            guard let v = shorthand ? decodeValue(child, as: item, path: path) : decode(child, as: item, path: childPath)
            else { ok = false; continue }
            if shorthand { origins[childPath] = child.origin; locations[childPath] = child.location }
            if rule.increasing, let prev = values.last?.doubleValue, let cur = v.doubleValue, cur <= prev {
                diagnostics.append(SpecDiagnostic(location: child.location, keyPath: childPath,
                    expected: "sweep points sorted ascending without repeats",
                    found: cur == prev ? "\(describe(v)) repeated" : "\(describe(v)) after \(describe(values.last!))",
                    hint: "sort the list and drop repeats"))
                ok = false
            } else if rule.unique, values.contains(v) {
                diagnostics.append(SpecDiagnostic(location: child.location, keyPath: childPath, expected: "each value once",
                                                  found: "\(describe(v)) repeated", hint: "drop the repeat"))
                ok = false
            }
            values.append(v)
        }
        return ok ? .list(values) : nil
    }

    private func describe(_ v: SpecValue) -> String {
        switch v {
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .string(let s): return "'\(s)'"
        default: return "\(v)"
        }
    }

    private mutating func decodeEither(_ node: YAMLNode, _ options: [SchemaType], path: String, type: SchemaType) -> SpecValue? {
        func shapeMatches(_ t: SchemaType) -> Bool {
            switch (t, node.content) {
            case (.record(let r), .scalar): return r.shorthandKey != nil
            case (.record, .mapping): return true
            case (.record, _): return false
            case (.list(_, let rule), .scalar): return rule.scalarShorthand
            case (.list, .sequence): return true
            case (.list, _): return false
            case (_, .scalar): return true
            default: return false
            }
        }
        let candidates = options.filter(shapeMatches)
        if candidates.count == 1 { return decodeValue(node, as: candidates[0], path: path) }
        // Several scalar shapes: take the first that accepts the value, without reporting the others' complaints.
        for candidate in candidates {
            var trial = self
            trial.diagnostics = []
            if let v = trial.decodeValue(node, as: candidate, path: path), trial.diagnostics.isEmpty {
                trial.diagnostics = diagnostics
                self = trial
                return v
            }
        }
        report(node, path, type.expectation)
        return nil
    }

    private mutating func decodeRecord(_ node: YAMLNode, _ record: SchemaRecord, path: String) -> SpecValue? {
        guard case .mapping(let pairs) = node.content else {
            var hint = ""
            if case .scalar("", true) = node.content { hint = "give its keys: " + record.fields.map(\.name).joined(separator: ", ") }
            report(node, path, "a mapping with keys " + record.fields.map(\.name).joined(separator: ", "), hint: hint)
            return nil
        }
        var result: [String: SpecValue] = [:]
        var present: [String: (keyLocation: SourceLocation, node: YAMLNode)] = [:]
        var ok = true
        for pair in pairs {
            let keyPath = KeyPathSegment.join(path, pair.key)
            guard let field = record.field(pair.key) else {
                diagnostics.append(SpecDiagnostic(location: pair.keyLocation, keyPath: keyPath,
                    expected: "one of the keys " + record.fields.map(\.name).joined(separator: ", "),
                    found: "unknown key '\(pair.key)'", hint: unknownKeyHint(pair.key, record: record)))
                ok = false
                continue
            }
            present[pair.key] = (pair.keyLocation, pair.value)
            if let v = decode(pair.value, as: field.type, path: keyPath) { result[pair.key] = v } else { ok = false }
        }
        for field in record.fields where present[field.name] == nil {
            let keyPath = KeyPathSegment.join(path, field.name)
            switch field.presence {
            case .required:
                diagnostics.append(SpecDiagnostic(location: node.location, keyPath: keyPath,
                    expected: "required key '\(field.name)' (\(field.type.expectation))", found: "no such key",
                    hint: "add `\(field.name):` here: \(field.doc)"))
                ok = false
            case .optional:
                break
            case .defaulted(let value):
                if let only = field.onlyWith, present[only] == nil { continue }
                let synthetic = YAMLNode.synthesized(value, location: node.location, origin: .defaultValue)
                if let v = decode(synthetic, as: field.type, path: keyPath) { result[field.name] = v } else { ok = false }
            }
        }
        for field in record.fields {
            if let only = field.onlyWith, let here = present[field.name], present[only] == nil {
                diagnostics.append(SpecDiagnostic(location: here.keyLocation, keyPath: KeyPathSegment.join(path, field.name),
                    expected: "'\(field.name)' only together with '\(only)'", found: "'\(field.name)' without '\(only)'",
                    hint: "remove '\(field.name)' or add '\(only)'"))
                ok = false
            }
        }
        ok = checkConstraints(record, node: node, path: path, present: present, values: result) && ok
        return ok ? .map(result) : nil
    }

    private mutating func checkConstraints(_ record: SchemaRecord, node: YAMLNode, path: String,
                                           present: [String: (keyLocation: SourceLocation, node: YAMLNode)],
                                           values: [String: SpecValue]) -> Bool {
        var ok = true
        for constraint in record.constraints {
            switch constraint {
            case .exactlyOne(let keys), .atLeastOne(let keys), .atMostOne(let keys):
                let written = keys.filter { present[$0] != nil }
                let needOne: Bool
                let allowMany: Bool
                switch constraint {
                case .exactlyOne: needOne = true; allowMany = false
                case .atLeastOne: needOne = true; allowMany = true
                default: needOne = false; allowMany = false
                }
                let options = keys.joined(separator: ", ")
                let what = needOne ? (allowMany ? "at least one of " : "exactly one of ") : "at most one of "
                if written.isEmpty && needOne {
                    diagnostics.append(SpecDiagnostic(location: node.location, keyPath: path, expected: what + options,
                                                      found: "none of them", hint: "add one of: \(options)"))
                    ok = false
                } else if written.count > 1 && !allowMany {
                    let second = present[written[1]]!.keyLocation
                    diagnostics.append(SpecDiagnostic(location: second, keyPath: path, expected: what + options,
                        found: written.map { "'\($0)'" }.joined(separator: " and "),
                        hint: "keep one; put the other in its own entry"))
                    ok = false
                }
            case .lessOrEqual(let a, let b):
                if let x = values[a]?.doubleValue, let y = values[b]?.doubleValue, x > y {
                    let loc = present[a]?.keyLocation ?? present[b]?.keyLocation ?? node.location
                    diagnostics.append(SpecDiagnostic(location: loc, keyPath: KeyPathSegment.join(path, a),
                        expected: "\(a) ≤ \(b) (\(values[b].map(SpecValue.scalarText) ?? ""))",
                        found: "\(a) = \(values[a].map(SpecValue.scalarText) ?? "")", hint: "lower \(a) or raise \(b)"))
                    ok = false
                }
            case .divides(let a, let b):
                if let x = values[a]?.intValue, let y = values[b]?.intValue, x > 0, y % x != 0 {
                    let loc = present[a]?.keyLocation ?? present[b]?.keyLocation ?? node.location
                    diagnostics.append(SpecDiagnostic(location: loc, keyPath: KeyPathSegment.join(path, a),
                        expected: "\(a) dividing \(b) (\(y))", found: "\(a) = \(x)",
                        hint: "pick a divisor of \(y)"))
                    ok = false
                }
            }
        }
        return ok
    }

    private func unknownKeyHint(_ key: String, record: SchemaRecord) -> String {
        if let near = EditDistance.closest(to: key, among: record.fields.map(\.name)) {
            return "did you mean '\(near)'?"
        }
        if let elsewhere = keyIndex[key], !elsewhere.isEmpty {
            return "'\(key)' is a key of " + elsewhere.prefix(3).joined(separator: ", ")
        }
        return "remove it, or see experiments/README.md for the keys"
    }
}

extension YAMLNode {
    /// A node standing for a schema default or an override value, so both go through the same decoder.
    static func synthesized(_ value: SpecValue, location: SourceLocation, origin: ValueOrigin) -> YAMLNode {
        let content: Content
        switch value {
        case .null: content = .scalar("null", plain: true)
        case .bool(let b): content = .scalar(b ? "true" : "false", plain: true)
        case .int(let i): content = .scalar("\(i)", plain: true)
        case .double(let d): content = .scalar(SpecValue.formatDouble(d), plain: true)
        case .string(let s): content = .scalar(s, plain: false)
        case .list(let items): content = .sequence(items.map { synthesized($0, location: location, origin: origin) })
        case .map(let m):
            content = .mapping(m.keys.sorted().map { ($0, location, synthesized(m[$0]!, location: location, origin: origin)) })
        }
        return YAMLNode(content: content, location: location, origin: origin)
    }
}
