import S1Store

/// Folds the plans of an experiment's variants into its own plan.
///
/// A variant's step whose kind, parameters and (renamed) inputs equal the base step of the same name *is* that
/// step: it runs once. Every other step of the variant joins the plan as `variants/<name>/<step>`, keeping the base
/// step's seed branch, so what differs between the configurations is exactly what their overrides change. A final
/// `variants` step compares them: training data, truncation, and each method's metrics, one row per variant.
enum VariantMerge {
    typealias Variant = (name: String, overrides: [String], plan: ExperimentPlan)

    /// The label of the configuration written in the file, as the comparison lists it.
    static let baseLabel = "base"

    static func merge(base: ExperimentPlan, variants: [Variant]) throws -> ExperimentPlan {
        var steps = base.plan.steps
        var byName = Dictionary(uniqueKeysWithValues: steps.map { ($0.name, $0) })
        var published = base.published
        var inputFiles = Set(base.inputFiles)
        // Each configuration's own `select`, `train` and `metrics`, under whatever name they ended up with.
        var compared: [(label: String, overrides: [String], steps: [String: String])] = [
            (baseLabel, [], Dictionary(uniqueKeysWithValues: comparedOutputs.map { ($0.step, $0.step) })),
        ]
        for variant in variants {
            var renamed: [String: String] = [:]
            for step in variant.plan.plan.steps {
                let inputs = step.inputs.mapValues { source -> StepInputSource in
                    guard case .output(let upstream, let file) = source else { return source }
                    return .output(step: renamed[upstream] ?? upstream, file: file)
                }
                if let existing = byName[step.name], existing.kind == step.kind, existing.parameters == step.parameters,
                   existing.inputs == inputs, existing.seedBranch == step.seedBranch {
                    renamed[step.name] = step.name
                    continue
                }
                let name = "variants/\(variant.name)/\(step.name)"
                renamed[step.name] = name
                let merged = PlannedStep(name: name, kind: step.kind, parameters: step.parameters, inputs: inputs,
                                         pointLabel: step.pointLabel, seedBranch: step.seedBranch)
                steps.append(merged)
                byName[name] = merged
            }
            for (file, output) in variant.plan.published {
                published["variants/\(variant.name)/\(file)"] = PublishedOutput(step: renamed[output.step] ?? output.step,
                                                                               file: output.file)
            }
            inputFiles.formUnion(variant.plan.inputFiles)
            compared.append((variant.name, variant.overrides,
                             Dictionary(uniqueKeysWithValues: comparedOutputs.compactMap { output in
                                 renamed[output.step].map { (output.step, $0) } })))
        }

        // The comparison reads what exists in every configuration (a plan without evaluation has no metrics).
        var inputs: [String: StepInputSource] = [:]
        var rows: [CanonicalValue] = []
        for configuration in compared {
            var files: [String: CanonicalValue] = [:]
            for (step, file) in comparedOutputs {
                guard let actual = configuration.steps[step], byName[actual] != nil else { continue }
                let input = "\(configuration.label)/\(step)"
                inputs[input] = .output(step: actual, file: file)
                files[step] = .string(input)
            }
            rows.append(.object(["label": .string(configuration.label),
                                 "overrides": .array(configuration.overrides.map { .string($0) }),
                                 "inputs": .object(files)]))
        }
        steps.append(PlannedStep(name: "variants", kind: ExperimentPlanner.Kind.compareVariants,
                                 parameters: .object(["variants": .array(rows)]), inputs: inputs))
        published["variants.json"] = PublishedOutput(step: "variants", file: "variants.json")
        return ExperimentPlan(plan: try Plan(steps: steps), published: published, inputFiles: inputFiles.sorted())
    }

    /// The steps whose outputs the comparison reads, and the file it reads from each.
    private static let comparedOutputs: [(step: String, file: String)] = [
        ("select", "summary.json"), ("train", "training.json"), ("metrics", "results.json"),
    ]
}
