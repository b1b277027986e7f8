/// Builds the typed `Experiment` from a tree that passed validation.
///
/// The schema guarantees every value read here exists with the right type; a mismatch would be a bug
/// in this file or the schema table (never a user error), which `SpecLoaderTests` cover by loading
/// every example, so the accessors trap instead of inventing a value.
struct ExperimentBuilder {
    struct Node {
        let value: SpecValue?
        let path: String

        subscript(_ key: String) -> Node { Node(value: value?[key], path: KeyPathSegment.join(path, key)) }
        var exists: Bool { value != nil }
        var int: Int { must(value?.intValue) }
        var double: Double { must(value?.doubleValue) }
        var string: String { must(value?.stringValue) }
        var bool: Bool { must(value?.boolValue) }
        var optionalInt: Int? { value?.intValue }
        var optionalString: String? { value?.stringValue }
        var items: [Node] { must(value?.listValue).enumerated().map { Node(value: $1, path: KeyPathSegment.join(path, index: $0)) } }
        var optionalItems: [Node]? { exists ? items : nil }
        var ints: [Int] { items.map(\.int) }
        var strings: [String] { items.map(\.string) }
        func raw<T: RawRepresentable>(_: T.Type) -> T where T.RawValue == String { must(T(rawValue: string)) }

        private func must<T>(_ v: T?) -> T {
            guard let v else { preconditionFailure("S1Spec schema/builder mismatch at \(path)") }
            return v
        }
    }

    static func build(_ tree: SpecValue) -> Experiment {
        let root = Node(value: tree, path: "")
        return Experiment(
            name: root["name"].string,
            seed: root["seed"].int,
            backend: root["backend"].raw(Experiment.Backend.self),
            model: root["model"].exists ? modelSource(root["model"]) : nil,
            template: template(root["template"]),
            data: DataSpec(pool: pool(root["data"]["pool"]), select: select(root["data"]["select"])),
            baseModels: root["base_models"].items.map(baseModel),
            train: train(root["train"]),
            evaluate: evaluate(root["evaluate"]),
            report: ReportSpec(formats: root["report"]["formats"].items.map { $0.raw(ReportSpec.Format.self) }),
            variants: root["variants"].items.map { ExperimentVariant(name: $0["name"].string, overrides: $0["set"].strings) })
    }

    static func modelSource(_ n: Node) -> ModelSource {
        if n["checkpoint"].exists { return .checkpoint(n["checkpoint"].string) }
        let i = n["init"]
        let vocab: ModelInit.Vocabulary = i["vocab"].value?.intValue.map { .size($0) } ?? .bytes
        return .initialize(ModelInit(
            hidden: i["hidden"].int, layers: i["layers"].int, heads: i["heads"].int, kvHeads: i["kv_heads"].int,
            intermediate: i["intermediate"].int, vocab: vocab, ropeTheta: i["rope_theta"].double,
            rmsEps: i["rms_eps"].double, tieEmbeddings: i["tie_embeddings"].bool, maxPosition: i["max_position"].int))
    }

    static func template(_ n: Node) -> ChatTemplate {
        ChatTemplate(base: n["base"].string, systemPrompt: n["system_prompt"].string, thinkStart: n["think_start"].string,
                     thinkEnd: n["think_end"].string, answerEnd: n["answer_end"].string, finalAnswer: n["final_answer"].string)
    }

    static func pool(_ n: Node) -> PoolSpec {
        if n["jsonl"].exists { return .jsonl(path: n["jsonl"].string, size: n["size"].optionalInt) }
        let domains = n["domains"].strings
        return .synthetic(.init(
            domains: domains == ["all"] ? nil : domains, size: n["size"].int, testSize: n["test_size"].int,
            difficulty: n["difficulty"]["min"].int...n["difficulty"]["max"].int,
            teacherErrorRate: n["teacher"]["error_rate"].double,
            teacherSelfCorrectionRate: n["teacher"]["self_correction_rate"].double))
    }

    static func select(_ n: Node) -> SelectSpec {
        let d = n["diversity"], c = n["decontaminate"]
        return SelectSpec(
            dropPatterns: n["quality"]["drop_patterns"].strings, dropAPIErrors: n["quality"]["drop_api_errors"].bool,
            solvedBy: n["difficulty"].exists ? n["difficulty"]["solved_by"].strings : nil,
            size: d["size"].int, variant: d["variant"].raw(SelectSpec.Variant.self),
            notebookUniformUntil: d["notebook_uniform_until"].int,
            preselect: d["preselect"].items.map {
                .init(sources: $0["sources"].strings, minTraceTokens: $0["min_trace_tokens"].int, teacherCorrect: $0["teacher_correct"].bool)
            },
            decontaminate: c.exists ? .init(ngram: c["ngram"].int, against: c["against"].strings) : nil)
    }

    static func baseModel(_ n: Node) -> BaseModel {
        let p = n["pretrain"]
        let pretrain = p.exists ? PretrainSpec(
            length: p["steps"].exists ? .steps(p["steps"].int) : .epochs(p["epochs"].int),
            lr: p["lr"].double, batchSize: p["batch_size"].int,
            directAnswers: p["direct_answers"].bool, workedSolutions: p["worked_solutions"].bool) : nil
        return BaseModel(name: n["name"].string, source: modelSource(n), pretrain: pretrain)
    }

    static func train(_ n: Node) -> TrainSpec {
        TrainSpec(
            from: n["from"].optionalString, epochs: n["epochs"].int, batchSize: n["batch_size"].int,
            microBatchSize: n["micro_batch_size"].int, lr: n["lr"].double, minLR: n["min_lr"].double,
            warmupRatio: n["warmup_ratio"].double, schedule: n["schedule"].raw(TrainSpec.Schedule.self),
            weightDecay: n["weight_decay"].double, beta1: n["adam"]["beta1"].double, beta2: n["adam"]["beta2"].double,
            eps: n["adam"]["eps"].double, gradClip: n["grad_clip"].double, blockSize: n["block_size"].int,
            lossOn: n["loss_on"].items.map { $0.raw(TrainSpec.LossPart.self) },
            precision: n["precision"].raw(TrainSpec.Precision.self))
    }

    static func evaluate(_ n: Node) -> EvaluateSpec {
        EvaluateSpec(
            benchmarks: n["benchmarks"].items.map { b in
                Benchmark(name: b["name"].string,
                          source: b["jsonl"].exists ? .jsonl(b["jsonl"].string) : .split(b["split"].string),
                          size: b["size"].optionalInt, grader: b["grader"].raw(Benchmark.Grader.self))
            },
            maxAnswerTokens: n["max_answer_tokens"].int, maxThinkingTokens: n["max_thinking_tokens"].int,
            temperature: n["temperature"].double, noForcingBaseline: n["no_forcing_baseline"].bool,
            sweeps: n["sweeps"].items.map(sweep))
    }

    static func sweep(_ n: Node) -> Sweep {
        let method: Sweep.Method
        if n["forcing"].exists {
            let f = n["forcing"]
            method = .forcing(BudgetForcingSweep(
                maxThinkingTokens: f["max_thinking_tokens"].optionalItems?.map(\.int),
                ignoreEnd: f["ignore_end"].optionalItems?.map(\.int), extensions: f["extension"].strings,
                minThinkingTokens: f["min_thinking_tokens"].optionalInt, cut: f["cut"].raw(BudgetForcingSweep.Cut.self)))
        } else if n["prompt_control"].exists {
            let p = n["prompt_control"]
            let kind: PromptControlSweep.Kind = p["tokens"].exists ? .tokens(p["tokens"].ints)
                : p["steps"].exists ? .steps(p["steps"].ints) : .classes(p["class"].strings)
            method = .promptControl(PromptControlSweep(kind: kind, withForcing: p["with_forcing"].bool))
        } else if n["rejection_sampling"].exists {
            let r = n["rejection_sampling"]
            method = .rejectionSampling(RejectionSamplingSweep(maxThinkingTokens: r["max_thinking_tokens"].ints,
                                                               temperature: r["temperature"].double, maxTries: r["max_tries"].int))
        } else {
            let m = n["majority"]
            method = .majority(MajoritySweep(samples: m["samples"].ints, temperature: m["temperature"].double, model: m["model"].string))
        }
        return Sweep(name: n["name"].string, method: method)
    }
}
