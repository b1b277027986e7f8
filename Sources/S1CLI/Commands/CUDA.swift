import ArgumentParser
import Foundation
import S1CUDA
import S1Engine
import S1Method

/// `s1 cuda info|check`: what the CUDA backend finds on this machine, and its conformance with the CPU engine.
struct CUDACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cuda", abstract: "The CUDA backend: device and libraries found, and checks against the CPU engine.",
        discussion: """
        Libraries are opened at run time: libcuda.so.1, libnvrtc and libcublasLt, searched in S1_CUDA_LIBRARY_PATH \
        (colon-separated), the system loader path, /usr/local/cuda/lib64 and /usr/local/nvidia/lib64. Compiled \
        kernels are cached in S1_CUDA_CACHE (default ~/.cache/s1/cuda-kernels).
        """,
        subcommands: [Info.self, Check.self])

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "info", abstract: "Open the backend and print its facts.")
        func run() throws {
            try reportingFailures {
                let backend = try CUDABackend()
                for (key, value) in backend.kernelFacts.sorted(by: { $0.key < $1.key }) { print("\(key): \(value)") }
                let memory = try backend.context.memoryInfo()
                print("memory: \(memory.free >> 20) MiB free of \(memory.total >> 20) MiB")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Compare every CUDA op, the fixture models, 50 training steps and decoding with the CPU engine.",
            discussion: "Exits non-zero when a check fails; --json writes every measured error and its tolerance.")
        @Option(help: "Folder with the Qwen2 fixture checkpoints.")
        var fixtures = "Tests/S1EngineTests/Fixtures"
        @Option(help: "Write the results as JSON here.")
        var json: String?

        func run() throws {
            try reportingFailures {
                let backend = try CUDABackend()
                var results: [CheckResult] = []
                func stage(_ name: String, _ body: () -> [CheckResult]) {
                    let started = Date()
                    let found = body()
                    results += found
                    for r in found {
                        print(String(format: "%@  %-62@ %.3g (≤ %.3g)%@", r.passed ? "ok  " : "FAIL", r.name as NSString, r.value,
                                     r.tolerance, r.detail.map { "  — \($0)" } ?? ""))
                    }
                    print(String(format: "[%@: %.1f s]", name, Date().timeIntervalSince(started)))
                }
                stage("ops") { CUDAOpChecks.run(backend: backend) }
                stage("fixtures") { CUDAModelChecks.fixtures(backend: backend, fixtureRoot: URL(fileURLWithPath: fixtures)) }
                stage("generation") { CUDAGenerationChecks.run(backend: backend) }
                stage("prefix sharing") { Self.prefixSharing(backend: backend) }
                stage("training") { CUDAModelChecks.training(backend: backend) }
                if let json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
                    try encoder.encode(["facts": backend.kernelFacts.map { "\($0.key)=\($0.value)" }.sorted()]).write(to: URL(fileURLWithPath: json + ".facts"))
                    try encoder.encode(results).write(to: URL(fileURLWithPath: json))
                }
                let failed = results.filter { !$0.passed }
                print("\(results.count - failed.count) of \(results.count) checks passed")
                if !failed.isEmpty { throw ExitCode(1) }
            }
        }

        /// A budget sweep decoded as one chain with forks equals each budget decoded alone (tokens and accounting).
        static func prefixSharing(backend: CUDABackend) -> [CheckResult] {
            do {
                let tokenizer = ByteTokenizer()
                let model = try Qwen2Model.initialised(
                    config: Qwen2Config(hiddenSize: 40, intermediateSize: 72, numHiddenLayers: 2, numAttentionHeads: 4,
                                        numKeyValueHeads: 2, vocabSize: 259, maxPositionEmbeddings: 512),
                    seed: 11, standardDeviation: 0.3)
                let prompt = tokenizer.encode("<|im_start|>user\nWhat is 17+25?<|im_end|>\n<|im_start|>assistant\n<|im_start|>think\n")
                let tokens = try ForcingTokens(template: .qwen25, tokenizer: tokenizer)
                let base = ForcingConfig(maxThinkingTokens: 0, maxAnswerTokens: 6)
                let budgets = [0, 4, 9, 16, 32]
                var equal = true
                var detail = ""
                for sampling in [SamplingParameters.greedy, SamplingParameters(temperature: 1, topP: 0.95, seed: 9)] {
                    let outcome = try EnginePrefixSharing.budgets(
                        generator: Generator(model: model, backend: backend), id: 5, prompt: prompt, sampling: sampling,
                        base: base, tokens: tokens, promptEndsWithNewline: true, budgets: budgets)
                    for b in budgets {
                        var alone = base
                        alone.maxThinkingTokens = b
                        let generator = try Generator(model: model, backend: backend)
                        let policy = try BudgetForcingPolicy(controller: BudgetForcing(config: alone, tokens: tokens, promptEndsWithNewline: true))
                        let sequence = try generator.start(GenerationRequest(id: 5, promptTokens: prompt, policy: policy, sampling: sampling))
                        try generator.run([sequence])
                        equal = equal && outcome.results[b] == sequence.result
                    }
                    detail += "T=\(sampling.temperature): decoded shared \(outcome.decodedShared) vs separate \(outcome.decodedSeparate); "
                }
                return [.exact("prefix-sharing budget sweep = separate runs (GPU)", equal: equal, detail: detail)]
            } catch {
                return [.failed("prefix sharing", error: error)]
            }
        }
    }
}
