import ArgumentParser
import Foundation
import S1CUDA
import S1Engine
import S1Method
import S1Store

/// `s1 hash FILE…`: the store's SHA-256 of files, in the form the store writes (`sha256:<hex>  path`).
struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash", abstract: "Print the SHA-256 of files as the store records them: sha256:<hex>  path.")

    @Argument(help: "Files to hash.")
    var files: [String]

    func run() throws {
        try reportingFailures {
            for file in files { print(try StoreBenchmarks.hashLine(file: file)) }
        }
    }
}

/// Measurements behind `make bench` (scripts/bench-*.sh compare them with their peers). Hidden from help.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Internal measurements for `make bench`.", shouldDisplay: false,
        subcommands: [ArchiveDirectory.self, EngineTraining.self, EngineDecoding.self, EngineMatmul.self, DataSelection.self,
                      SweepSharing.self,
                      CUDATraining.self, CUDADecoding.self])

    struct ArchiveDirectory: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "archive-dir", abstract: "Archive any folder as the run archiver does; prints the archive id.")
        @Argument var directory: String
        @Argument var output: String
        func run() throws {
            try reportingFailures {
                print(try StoreBenchmarks.archiveLine(directory: URL(fileURLWithPath: directory),
                                                      output: URL(fileURLWithPath: output)))
            }
        }
    }

    struct EngineTraining: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "engine-train", abstract: "Training-step tokens/s.")
        @Option var threads = 1
        @Option var batch = 16
        @Option var length = 128
        @Option var steps = 10
        @Option(help: "Sequences per pass (gradient accumulation over the batch); default: the whole batch.")
        var microBatch: Int?
        func run() throws {
            try reportingFailures {
                print(try EngineBenchmarks.trainingStep(threads: threads, batch: batch, length: length, steps: steps,
                                                        microBatch: microBatch))
            }
        }
    }

    struct EngineDecoding: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "engine-decode", abstract: "Greedy KV-cache decoding tokens/s.")
        @Option var batch = 1
        @Option var prompt = 16
        @Option var newTokens = 128
        @Option(help: "Engine threads (the peer script's torch threads must match).") var threads = 1
        func run() throws {
            try reportingFailures {
                print(try EngineBenchmarks.decoding(batch: batch, prompt: prompt, newTokens: newTokens, threads: threads))
            }
        }
    }

    struct EngineMatmul: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "engine-gemm", abstract: "GFLOP/s of the step's largest matmul: forward, input gradient and weight gradient.")
        @Option var threads = 1
        func run() throws { print(EngineBenchmarks.largestMatmul(threads: threads)) }
    }

    struct SweepSharing: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sweep-sharing",
            abstract: "Decoded tokens of a prefix-sharing budget sweep against its largest point, at long thinking lengths.")
        @Option(parsing: .upToNextOption, help: "Thinking budgets of the sweep.") var budgets = [512, 1024, 2048, 4096]
        @Option(help: "Questions (random prompts) decoded together.") var prompts = 8
        func run() throws {
            try reportingFailures {
                guard budgets.allSatisfy({ $0 > 0 }), prompts > 0 else {
                    throw ValidationError("budgets and --prompts must be positive")
                }
                print(try SweepSharingBenchmark.run(budgets: budgets, prompts: prompts))
            }
        }
    }

    struct DataSelection: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "data", abstract: "Pool generation, selection and decontamination throughput.")
        @Option var pool = 59_029
        @Option var benchmark = 1_000
        func run() throws {
            try reportingFailures { print(try DataBenchmarks.run(poolSize: pool, benchmarkSize: benchmark)) }
        }
    }

    struct CUDATraining: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cuda-train", abstract: "SFT step on a Qwen2.5-0.5B-shaped model: tokens/s and MFU.")
        @Option(help: "Sequences per micro-batch.") var batch = 1
        @Option var length = 2048
        @Option(help: "Micro-batches per optimizer step (16 at batch 1 is the paper's batch of 16).") var accumulation = 1
        @Option(help: "Attention kernels: flash or materialized (default: what training uses for the head size).")
        var attention: TrainingAttentionKernel?
        @Option(help: "Timed steps (the median is reported).") var steps = 5
        @Flag(help: "Also report GPU time per operation of one step.") var profile = false
        @Option(help: "Write the numbers as JSON here.") var json: String?
        func run() throws {
            try reportingFailures {
                try emit(try CUDABenchmarks.training(backend: try CUDABackend(), batch: batch, length: length,
                                                     accumulation: accumulation, attention: attention,
                                                     steps: steps, profile: profile), json: json)
            }
        }
    }

    struct CUDADecoding: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cuda-decode", abstract: "Greedy decode at batch 1 and 64: tokens/s, bandwidth, invariance cost.")
        @Flag(help: "Also report GPU time per operation of one step (launched one by one).") var profile = false
        @Option(help: "Write the numbers as JSON here.") var json: String?
        func run() throws {
            try reportingFailures {
                try emit(try CUDABenchmarks.decoding(backend: try CUDABackend(), profile: profile), json: json)
            }
        }
    }
}

/// Prints `numbers` one per line (sorted) and writes them as JSON when asked.
private func emit(_ numbers: [String: Double], json: String?) throws {
    for (key, value) in numbers.sorted(by: { $0.key < $1.key }) { print("\(key): \(value)") }
    if let json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(numbers).write(to: URL(fileURLWithPath: json))
    }
}

extension TrainingAttentionKernel: ExpressibleByArgument {}
