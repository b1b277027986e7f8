import S1Engine

/// The engine on one NVIDIA GPU: `backend: cuda` in an experiment. Opening it loads the driver, NVRTC and
/// cuBLASLt, compiles (or reuses from the kernel cache) every kernel for the device, and creates the cuBLASLt
/// handle; a missing library or device is a typed error naming what was searched.
public final class CUDABackend: Backend, @unchecked Sendable {
    public let context: CUDAContext
    let ops: DeviceOps

    public init(ordinal: Int = 0, kernelCache: KernelCache = KernelCache(directory: KernelCache.defaultDirectory())) throws {
        context = try CUDAContext(ordinal: ordinal)
        let kernels = try context.loadKernels(cache: kernelCache)
        ops = DeviceOps(context: context, kernels: kernels, matmul: try MatmulEngine(context: context))
    }

    public var name: String { "cuda" }

    /// The device, its driver, the compiler and the kernel sources: what can change the bits of a result.
    public var kernelFacts: [String: String] {
        [
            "cuda.device": context.deviceName,
            "cuda.compute_capability": "\(context.computeCapability.major).\(context.computeCapability.minor)",
            "cuda.architecture": context.architecture,
            "cuda.driver": "\(context.driverVersion)",
            "cuda.nvrtc": "\(context.nvrtc.version.major).\(context.nvrtc.version.minor)",
            "cuda.kernels": ops.kernels.sourceDigest,
            "cuda.gemm": "cublasLt, decode: one algorithm (split-K included) pinned per shape class; training: pinned per problem",
        ]
    }

    public func makeTrainingDevice(model: Qwen2Model, optimizer: AdamW, maxRows: Int) throws -> any TrainingDevice {
        try CUDATrainingDevice(ops: ops, model: model, optimizer: optimizer)
    }

    public func makeDecoder(model: Qwen2Model) throws -> any IncrementalDecoder {
        try CUDADecoder(ops: ops, model: model)
    }
}
