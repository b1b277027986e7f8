/// Checks that span sections: names that refer to other entries, and uniqueness of names.
/// They run on the decoded tree, so each check sees typed values and their recorded locations.
struct CrossChecks {
    let tree: SpecValue
    let locations: [String: SourceLocation]
    let rootLocation: SourceLocation
    var diagnostics: [SpecDiagnostic] = []

    init(tree: SpecValue, locations: [String: SourceLocation], rootLocation: SourceLocation) {
        self.tree = tree
        self.locations = locations
        self.rootLocation = rootLocation
    }

    func location(_ path: String) -> SourceLocation {
        // Fall back to the nearest recorded ancestor.
        var p = path
        while !p.isEmpty {
            if let loc = locations[p] { return loc }
            if let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) { p = String(p[..<cut]) } else { break }
        }
        return rootLocation
    }

    mutating func run() -> [SpecDiagnostic] {
        let baseNames = names(in: "base_models")
        let benchmarkNames = names(in: "evaluate.benchmarks")
        _ = names(in: "evaluate.sweeps")
        _ = names(in: "variants")

        if tree["model"] == nil && tree["train"]?["from"] == nil {
            diagnostics.append(SpecDiagnostic(location: rootLocation, keyPath: "model",
                expected: "a `model` section, or `train.from` naming a base model", found: "neither",
                hint: "add `model: {init: {...}}` or `model: {checkpoint: PATH}`, or set `train.from`"))
        }
        if tree["model"] != nil, let from = tree["train"]?["from"]?.stringValue {
            diagnostics.append(SpecDiagnostic(location: location("train.from"), keyPath: "train.from",
                expected: "either `model` or `train.from`, not both", found: "train.from = '\(from)' and a `model` section",
                hint: "remove one; with train.from the base model's configuration is used"))
        }
        if baseNames.contains("sft") {
            let i = baseNames.firstIndex(of: "sft")!
            diagnostics.append(SpecDiagnostic(location: location("base_models[\(i)].name"), keyPath: "base_models[\(i)].name",
                expected: "a name other than 'sft'", found: "'sft'", hint: "'sft' means the fine-tuned model; rename this base model"))
        }
        refer("train.from", to: baseNames, what: "base model")
        if let solvedBy = tree.value(at: "data.select.difficulty.solved_by")?.listValue {
            for i in solvedBy.indices { refer("data.select.difficulty.solved_by[\(i)]", to: baseNames, what: "base model") }
        }
        if let against = tree.value(at: "data.select.decontaminate.against")?.listValue {
            for i in against.indices { refer("data.select.decontaminate.against[\(i)]", to: benchmarkNames, what: "benchmark") }
        }
        for (i, sweep) in (tree.value(at: "evaluate.sweeps")?.listValue ?? []).enumerated() where sweep["majority"] != nil {
            refer("evaluate.sweeps[\(i)].majority.model", to: baseNames + ["sft"], what: "model")
        }
        if let domains = tree.value(at: "data.pool.domains")?.listValue, domains.count > 1, domains.contains(.string("all")) {
            diagnostics.append(SpecDiagnostic(location: location("data.pool.domains"), keyPath: "data.pool.domains",
                expected: "`all` alone, or a list of domain names", found: "'all' inside a list", hint: "write `domains: all`"))
        }
        if tree.value(at: "data.pool.tasks") != nil, tree.value(at: "data.pool.size") == nil {
            diagnostics.append(SpecDiagnostic(location: location("data.pool"), keyPath: "data.pool.size",
                expected: "a pool size for synthetic tasks", found: "no such key", hint: "add `size: 6000` (or another count)"))
        }
        for (i, model) in (tree["base_models"]?.listValue ?? []).enumerated() where model["init"] != nil && model["pretrain"] == nil {
            diagnostics.append(SpecDiagnostic(location: location("base_models[\(i)]"), keyPath: "base_models[\(i)].pretrain",
                expected: "a pretrain block for a from-scratch base model", found: "no such key",
                hint: "add `pretrain: {steps: N, lr: X}`; an untrained model cannot attempt questions"))
        }
        return diagnostics
    }

    /// The `name` values of a list of records, reporting repeats.
    private mutating func names(in listPath: String) -> [String] {
        var seen: [String] = []
        for (i, item) in (tree.value(at: listPath)?.listValue ?? []).enumerated() {
            guard let name = item["name"]?.stringValue else { continue }
            if let first = seen.firstIndex(of: name) {
                let path = "\(listPath)[\(i)].name"
                diagnostics.append(SpecDiagnostic(location: location(path), keyPath: path, expected: "a unique name",
                    found: "'\(name)' (already \(listPath)[\(first)] at \(location("\(listPath)[\(first)].name")))",
                    hint: "rename one of them"))
            }
            seen.append(name)
        }
        return seen
    }

    private mutating func refer(_ path: String, to known: [String], what: String) {
        guard let name = tree.value(at: path)?.stringValue, !known.contains(name) else { return }
        var hint = known.isEmpty ? "define it first" : "known: " + known.joined(separator: ", ")
        if let near = EditDistance.closest(to: name, among: known) { hint = "did you mean '\(near)'?" }
        diagnostics.append(SpecDiagnostic(location: location(path), keyPath: path,
                                          expected: "the name of a \(what)" + (known.isEmpty ? "" : " (\(known.joined(separator: ", ")))"),
                                          found: "'\(name)'", hint: hint))
    }
}
