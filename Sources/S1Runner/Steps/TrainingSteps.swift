import Foundation
import S1Engine
import S1Method

/// `pretrain`: a base model from scratch on the pool's questions with direct answers (and, optionally, worked
/// solutions in plain text), the analog of an instruction-tuned model that answers without thinking.
struct PretrainStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.pretrain
    let usesComputeBackend = true

    struct Parameters: Decodable {
        struct Model: Decodable {
            struct Initial: Decodable {
                let hidden: Int, layers: Int, heads: Int, kv_heads: Int, intermediate: Int
                let rope_theta: Double, rms_eps: Double, tie_embeddings: Bool, max_position: Int
            }
            struct Pretrain: Decodable {
                let steps: Int?
                let epochs: Int?
                let lr: Double
                let batch_size: Int
                let direct_answers: Bool
                let worked_solutions: Bool
            }
            let name: String
            let initial: Initial
            let pretrain: Pretrain
            enum CodingKeys: String, CodingKey { case name, initial = "init", pretrain }
        }
        let model: Model
        let template: TemplateStrings
    }

    func run(_ context: StepContext) throws {
        let parameters = try context.parameters(as: Parameters.self)
        let shape = parameters.model.initial, pretrain = parameters.model.pretrain
        let tokenizer = ByteTokenizer()
        let format = ChatFormat(template: parameters.template, tokenizer: tokenizer)
        let pool = try PoolJSONL.decode(try Data(contentsOf: try context.input("pool")), source: "pool.jsonl")
        var examples: [TrainingExample] = []
        for record in pool {
            if pretrain.direct_answers {
                examples.append(format.directAnswerExample(question: record.question, answer: record.solution))
            }
            if pretrain.worked_solutions, record.teacherCorrect != false {
                examples.append(format.workedSolutionExample(question: record.question, solution: record.thinking,
                                                             answer: record.solution))
            }
        }
        guard !examples.isEmpty else {
            throw StepFailure(step: context.step.name, message: "pretrain has no examples: enable direct_answers or worked_solutions")
        }
        let config = Qwen2Config(hiddenSize: shape.hidden, intermediateSize: shape.intermediate,
                                 numHiddenLayers: shape.layers, numAttentionHeads: shape.heads,
                                 numKeyValueHeads: shape.kv_heads, vocabSize: tokenizer.vocabularySize,
                                 ropeTheta: shape.rope_theta, rmsNormEps: shape.rms_eps,
                                 tieWordEmbeddings: shape.tie_embeddings, maxPositionEmbeddings: shape.max_position)
        let model = try Qwen2Model.initialised(config: config, seed: context.seed)
        // `steps` becomes one pass over exactly steps × batch examples (the pool cycled in a seeded order), so the
        // warmup and cosine schedule span exactly the steps asked for.
        if let steps = pretrain.steps {
            var order = Array(examples.indices)
            var rng = CounterRNG(key: CounterRNG.derive(context.seed, 0x5EED_0F_0DE2))
            var cycled: [TrainingExample] = []
            while cycled.count < steps * pretrain.batch_size {
                rng.shuffle(&order)
                cycled += order.prefix(steps * pretrain.batch_size - cycled.count).map { examples[$0] }
            }
            examples = cycled
        }
        let training = TrainingConfig(epochs: pretrain.epochs ?? 1, batchSize: pretrain.batch_size,
                                      microBatchSize: pretrain.batch_size, learningRate: pretrain.lr,
                                      blockSize: shape.max_position)
        try TrainingRun.train(model: model, config: training, examples: examples, context: context, stopAfterStep: nil)
    }
}

/// `sft`: the s1 fine-tune: the base model on the selected records, loss on thinking and answer, the paper's
/// schedule (epochs × ceil(N / batch) steps, warmup then cosine), AdamW.
struct SFTStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.sft
    let usesComputeBackend = true

    struct Parameters: Decodable {
        struct Train: Decodable {
            struct Adam: Decodable { let beta1: Double, beta2: Double, eps: Double }
            let epochs: Int, batch_size: Int, micro_batch_size: Int
            let lr: Double, min_lr: Double, warmup_ratio: Double
            let schedule: String
            let weight_decay: Double
            let adam: Adam
            let grad_clip: Double
            let block_size: Int
            let loss_on: [ChatFormat.LossPart]
        }
        let train: Train
        let template: TemplateStrings
    }

    func run(_ context: StepContext) throws {
        let parameters = try context.parameters(as: Parameters.self)
        let train = parameters.train
        guard context.inputs["checkpoint"] != nil || context.inputs["weights"] != nil else {
            throw StepFailure(step: context.step.name, message: "no model to fine-tune: set train.from to a base model or model.checkpoint")
        }
        let model = try ModelFiles.load(context)
        let format = ChatFormat(template: parameters.template, tokenizer: try ModelFiles.tokenizer(context))
        let selected = try PoolJSONL.decode(try Data(contentsOf: try context.input("data")), source: "selected.jsonl")
        let examples = selected.map {
            format.sftExample(question: $0.question, thinking: $0.thinking, attempt: $0.attempt, lossOn: Set(train.loss_on))
        }
        guard let schedule = ScheduleKind(rawValue: train.schedule) else {
            throw StepFailure(step: context.step.name, message: "unknown schedule '\(train.schedule)'")
        }
        let config = TrainingConfig(
            epochs: train.epochs, batchSize: train.batch_size, microBatchSize: train.micro_batch_size,
            learningRate: train.lr, minLearningRate: train.min_lr, warmupRatio: train.warmup_ratio, schedule: schedule,
            weightDecay: train.weight_decay, beta1: train.adam.beta1, beta2: train.adam.beta2, epsilon: train.adam.eps,
            blockSize: train.block_size, gradientClipNorm: train.grad_clip > 0 ? train.grad_clip : nil)
        try TrainingRun.train(model: model, config: config, examples: examples, context: context, stopAfterStep: nil)
    }
}

/// The part both training kinds share: run the trainer with progress, write the model and `training.json`.
enum TrainingRun {
    static func train(model: Qwen2Model, config: TrainingConfig, examples: [TrainingExample], context: StepContext,
                      stopAfterStep: Int?) throws {
        let problems = config.problems()
        guard problems.isEmpty else {
            throw StepFailure(step: context.step.name, message: problems.joined(separator: "; "))
        }
        let trainer = try SFTTrainer(model: model, config: config, examples: examples, seed: context.seed,
                                     backend: context.backend())
        let total = min(trainer.totalSteps, stopAfterStep ?? trainer.totalSteps)
        context.progress.begin(total: Double(total), unit: "steps")
        let result = try trainer.run(progress: { progress in
            context.progress.update(completed: Double(progress.step),
                                    message: String(format: "loss %.4f  lr %.2e", progress.loss, progress.learningRate))
        }, stopAfterStep: stopAfterStep)
        try model.save(directory: context.outputDirectory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try context.writeOutput("training.json", try encoder.encode(result))
        let truncation = result.truncation
        context.log("trained \(total) steps on \(examples.count) examples; final loss \(result.lossCurve.last.map { String(format: "%.4f", $0) } ?? "—"); block size cut \(truncation.samplesCut) of \(truncation.samples) samples and \(truncation.lossTokensLost) of \(truncation.lossTokens) loss tokens")
    }
}
