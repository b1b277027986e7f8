/// What can go wrong opening or using the CUDA backend, in words a user can act on.
public enum CUDAError: Error, CustomStringConvertible, Equatable {
    case libraryNotFound(library: String, searched: [String])
    case symbolMissing(library: String, symbol: String)
    case driver(call: String, code: Int32, message: String)
    case nvrtc(call: String, code: Int32, message: String)
    /// NVRTC rejected a kernel source; the log names file:line.
    case compilation(file: String, log: String)
    case cublas(call: String, status: Int32)
    case noDevice
    case outOfMemory(requestedBytes: Int, freeBytes: Int)
    case noMatmulAlgorithm(problem: String)
    case kernelSourcesNotFound(searched: [String])

    public var description: String {
        switch self {
        case let .libraryNotFound(library, searched):
            return "\(library) not found; searched: \(searched.joined(separator: ", ")). Install the NVIDIA driver / CUDA libraries, or set S1_CUDA_LIBRARY_PATH to the folder holding \(library) (colon-separated for several)"
        case let .symbolMissing(library, symbol):
            return "\(library) has no symbol \(symbol): the library is too old for this build (CUDA 12 or newer is needed)"
        case let .driver(call, code, message):
            return "CUDA driver call \(call) failed with \(code) (\(message))"
        case let .nvrtc(call, code, message):
            return "NVRTC call \(call) failed with \(code) (\(message))"
        case let .compilation(file, log):
            return "NVRTC could not compile \(file):\n\(log)"
        case let .cublas(call, status):
            return "cuBLASLt call \(call) failed with status \(status)"
        case .noDevice:
            return "no CUDA device is visible (the driver loaded but reports none; check nvidia-smi and CUDA_VISIBLE_DEVICES)"
        case let .outOfMemory(requested, free):
            return "GPU out of memory: \(requested >> 20) MiB requested, \(free >> 20) MiB available; use smaller batches or a shorter context"
        case let .noMatmulAlgorithm(problem):
            return "cuBLASLt has no algorithm for \(problem) that keeps the pinned (batch-invariant) choice"
        case let .kernelSourcesNotFound(searched):
            return "the CUDA kernel sources (s1_S1CUDA.resources/Kernels) are not next to the s1 binary; searched: \(searched.joined(separator: ", ")). Set S1_CUDA_KERNELS to the Kernels folder"
        }
    }
}
