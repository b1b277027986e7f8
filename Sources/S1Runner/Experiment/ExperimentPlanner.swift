import Foundation
import S1Method
import S1Spec
import S1Store

/// A plan plus what the run record needs from it: which outputs are published at the run root, and which user
/// files the spec names.
public struct ExperimentPlan: Sendable {
    public let plan: Plan
    public let published: [String: PublishedOutput]
    /// User files as written in the spec (relative to its folder), carried by the run record. Checkpoint folders
    /// are not among them: they are pinned by digest in each step key but stay with their owner, being large.
    public let inputFiles: [String]
}

/// Turns an experiment into the s1 pipeline's DAG:
/// `pool → pretrain/<base> → attempts/<base> → select → train → evaluate/<sweep>/<point> → metrics`.
///
/// Each step's parameters are only the spec subtrees it reads, so editing, say, a sweep leaves training cached.
public enum ExperimentPlanner {
    /// Step names; executors are registered under the kinds.
    public enum Kind {
        public static let syntheticPool = "synthetic-pool"
        public static let importPool = "import-pool"
        public static let importBenchmark = "import-benchmark"
        public static let pretrain = "pretrain"
        public static let attempts = "attempts"
        public static let select = "select"
        public static let sft = "sft"
        public static let evaluate = "evaluate"
        public static let evaluateShared = "evaluate-shared"
        public static let metrics = "metrics"
        public static let compareVariants = "compare-variants"
    }

    public static func plan(_ spec: ResolvedSpec) throws -> ExperimentPlan {
        let base = try planOne(spec)
        return spec.variants.isEmpty ? base : try VariantMerge.merge(base: base, variants: try spec.variants.map {
            (name: $0.name, overrides: $0.overrides, plan: try planOne($0.spec))
        })
    }

    /// The DAG of one configuration (the file itself, or one variant of it).
    static func planOne(_ spec: ResolvedSpec) throws -> ExperimentPlan {
        let experiment = spec.experiment
        var steps: [PlannedStep] = []
        var inputFiles: [String] = []
        let template = spec.canonical(at: "template")

        // Data: the pool (with its held-out test split when synthetic) and the benchmarks.
        var benchmarkSources: [String: StepInputSource] = [:]
        switch experiment.data.pool {
        case .synthetic:
            steps.append(PlannedStep(name: "pool", kind: Kind.syntheticPool,
                                     parameters: .object(["pool": spec.canonical(at: "data.pool")])))
        case .jsonl(let path, _):
            inputFiles.append(path)
            steps.append(PlannedStep(name: "pool", kind: Kind.importPool,
                                     parameters: .object(["pool": spec.canonical(at: "data.pool")]),
                                     inputs: ["pool": .file(path: path)]))
        }
        for (index, benchmark) in experiment.evaluate.benchmarks.enumerated() {
            switch benchmark.source {
            case .split(let split):
                benchmarkSources[benchmark.name] = .output(step: "pool", file: "\(split).jsonl")
            case .jsonl(let path):
                inputFiles.append(path)
                let name = "benchmark/\(benchmark.name)"
                steps.append(PlannedStep(name: name, kind: Kind.importBenchmark,
                                         parameters: .object(["benchmark": spec.canonical(at: "evaluate.benchmarks[\(index)]")]),
                                         inputs: ["benchmark": .file(path: path)]))
                benchmarkSources[benchmark.name] = .output(step: name, file: "benchmark.jsonl")
            }
        }

        // Base models: pretrained from scratch (s1-mini) or loaded from a checkpoint folder (the paper's setup).
        var modelSources: [String: [String: StepInputSource]] = [:]
        for (index, base) in experiment.baseModels.enumerated() {
            let name = "pretrain/\(base.name)"
            switch base.source {
            case .checkpoint(let path):
                modelSources[base.name] = checkpointInputs(path)
            case .initialize:
                steps.append(PlannedStep(
                    name: name, kind: Kind.pretrain,
                    parameters: .object(["model": spec.canonical(at: "base_models[\(index)]"), "template": template]),
                    inputs: ["pool": .output(step: "pool", file: "pool.jsonl")]))
                modelSources[base.name] = modelOutputs(of: name)
            }
            steps.append(PlannedStep(
                name: "attempts/\(base.name)", kind: Kind.attempts,
                parameters: .object(["model": .string(base.name), "template": template,
                                     "max_answer_tokens": .int(Int64(experiment.evaluate.maxAnswerTokens))]),
                inputs: modelSources[base.name]!.merging(["pool": .output(step: "pool", file: "pool.jsonl")]) { a, _ in a }))
        }

        // Selection reads the pool, every base model's attempts, and the benchmarks it decontaminates against.
        var selectInputs: [String: StepInputSource] = ["pool": .output(step: "pool", file: "pool.jsonl")]
        for base in experiment.baseModels {
            selectInputs["attempts/\(base.name)"] = .output(step: "attempts/\(base.name)", file: "attempts.jsonl")
        }
        for name in experiment.data.select.decontaminate?.against ?? [] {
            if let source = benchmarkSources[name] { selectInputs["benchmark/\(name)"] = source }
        }
        // Trace lengths count tokens of the model being fine-tuned: a checkpoint's tokenizer.json when it has one
        // (the byte-level tokenizer of the models pretrained here needs no file).
        if let folder = fineTunedCheckpoint(experiment) {
            selectInputs["tokenizer"] = .file(path: (folder as NSString).appendingPathComponent("tokenizer.json"))
        }
        steps.append(PlannedStep(name: "select", kind: Kind.select,
                                 parameters: .object(["select": spec.canonical(at: "data.select"), "template": template]),
                                 inputs: selectInputs))

        // Fine-tuning: from a base model (by name) or from `model:` (a checkpoint folder or a fresh init).
        var trainInputs: [String: StepInputSource] = ["data": .output(step: "select", file: "selected.jsonl")]
        if let from = experiment.train.from, let source = modelSources[from] {
            trainInputs.merge(source) { a, _ in a }
        } else if case .checkpoint(let path)? = experiment.model {
            trainInputs.merge(checkpointInputs(path)) { a, _ in a }
        }
        steps.append(PlannedStep(name: "train", kind: Kind.sft,
                                 parameters: .object(["train": spec.canonical(at: "train"), "model": spec.canonical(at: "model"),
                                                      "template": template]),
                                 inputs: trainInputs))
        let trained = modelOutputs(of: "train")

        // Evaluation: one step per sweep point, per benchmark.
        var evaluationSteps: [String] = []
        // What each shared sweep decoded (its sharing.json), read by metrics for results.json's cost columns.
        var sharingReports: [String: StepInputSource] = [:]
        var evaluationPoints: [CanonicalValue] = []
        let common: [String: CanonicalValue] = [
            "template": template,
            "max_answer_tokens": .int(Int64(experiment.evaluate.maxAnswerTokens)),
            "max_thinking_tokens": .int(Int64(experiment.evaluate.maxThinkingTokens)),
            "temperature": .number(experiment.evaluate.temperature),
        ]
        for (benchmarkIndex, benchmark) in experiment.evaluate.benchmarks.enumerated() {
            guard let benchmarkSource = benchmarkSources[benchmark.name] else { continue }
            let benchmarkValue = spec.canonical(at: "evaluate.benchmarks[\(benchmarkIndex)]")
            var points: [(sweep: String, label: String, method: CanonicalValue, model: [String: StepInputSource])] = []
            if experiment.evaluate.noForcingBaseline {
                points.append((ResultsDocument.unforcedSweep, "no forcing", .object(["method": .string("none")]), trained))
            }
            for (sweepIndex, sweep) in experiment.evaluate.sweeps.enumerated() {
                let sweepTree = spec.canonical(at: "evaluate.sweeps[\(sweepIndex)]")
                var model = trained
                if case .majority(let majority) = sweep.method, majority.model != "sft",
                   let base = modelSources[majority.model] {
                    model = base
                }
                for point in SweepExpansion.points(of: sweepTree) {
                    points.append((sweep.name, point.label, point.method, model))
                }
            }
            let prefix = experiment.evaluate.benchmarks.count > 1 ? "evaluate/\(benchmark.name)" : "evaluate"
            func pointID(_ point: (sweep: String, label: String, method: CanonicalValue, model: [String: StepInputSource])) throws -> String {
                String(try CanonicalValue.object(["sweep": .string(point.sweep), "point": point.method]).digest().hex.prefix(8))
            }
            // Forcing sweeps that vary only the budget or only the ignored ends decode one chain per question and
            // fork each point from it: one `evaluate-shared` step per sweep, which every point step then reads.
            var sharedSource: [String: StepInputSource] = [:]
            for sweep in Set(points.map(\.sweep)).sorted() {
                let members = points.filter { $0.sweep == sweep }
                guard let vary = SharedSweep.varyingKey(members.map(\.method)) else { continue }
                let name = "\(prefix)/\(sweep)/shared"
                var parameters = common
                parameters["benchmark"] = benchmarkValue
                parameters["vary"] = .string(vary)
                parameters["points"] = .array(try members.map {
                    .object(["id": .string(try pointID($0)), "label": .string($0.label), "point": $0.method])
                })
                var inputs = members[0].model
                inputs["benchmark"] = benchmarkSource
                steps.append(PlannedStep(name: name, kind: Kind.evaluateShared, parameters: .object(parameters), inputs: inputs))
                sharingReports["sharing/\(benchmark.name)/\(sweep)"] = .output(step: name, file: "sharing.json")
                for member in members {
                    sharedSource[try pointID(member)] = .output(step: name, file: "samples/\(try pointID(member)).jsonl")
                }
            }
            for point in points {
                var parameters = common
                parameters["benchmark"] = benchmarkValue
                parameters["point"] = point.method
                let pointID = try pointID(point)
                let name = "\(prefix)/\(point.sweep)/\(pointID)"
                var inputs = point.model
                inputs["benchmark"] = benchmarkSource
                if let shared = sharedSource[pointID] { inputs = ["shared": shared] }
                steps.append(PlannedStep(name: name, kind: Kind.evaluate, parameters: .object(parameters),
                                         inputs: inputs, pointLabel: point.label))
                evaluationSteps.append(name)
                evaluationPoints.append(.object(["step": .string(name), "sweep": .string(point.sweep),
                                                 "label": .string(point.label), "benchmark": .string(benchmark.name),
                                                 "point": point.method]))
            }
        }
        if !evaluationSteps.isEmpty {
            var inputs: [String: StepInputSource] = [:]
            for name in evaluationSteps { inputs[name] = .output(step: name, file: "samples.jsonl") }
            inputs.merge(sharingReports) { a, _ in a }
            steps.append(PlannedStep(name: "metrics", kind: Kind.metrics,
                                     parameters: .object(["evaluate": spec.canonical(at: "evaluate"),
                                                          "points": .array(evaluationPoints)]),
                                     inputs: inputs))
        }
        return ExperimentPlan(plan: try Plan(steps: steps),
                              published: evaluationSteps.isEmpty ? [:] : ["results.json": PublishedOutput(step: "metrics", file: "results.json")],
                              inputFiles: Array(Set(inputFiles)).sorted())
    }

    /// The files a model step writes, as inputs of the steps that use the model.
    static func modelOutputs(of step: String) -> [String: StepInputSource] {
        ["config": .output(step: step, file: "config.json"), "weights": .output(step: step, file: "model.safetensors")]
    }

    /// A checkpoint folder as one input: every file in it (config, shards, tokenizer) is hashed.
    /// The checkpoint folder `train` starts from, when it starts from one: `train.from`'s base model, else `model:`.
    static func fineTunedCheckpoint(_ experiment: Experiment) -> String? {
        if let from = experiment.train.from, let base = experiment.baseModels.first(where: { $0.name == from }) {
            if case .checkpoint(let path) = base.source { return path }
            return nil
        }
        if case .checkpoint(let path)? = experiment.model { return path }
        return nil
    }

    static func checkpointInputs(_ folder: String) -> [String: StepInputSource] {
        ["checkpoint": .directory(path: folder)]
    }

}
