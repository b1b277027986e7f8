import Foundation
import S1CUDA
import S1Engine

/// The compute backend an experiment names (`backend:`), opened once per process and shared by its steps:
/// opening the CUDA backend loads libraries, compiles kernels and creates handles, which no step should repeat.
enum ComputeBackends {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var opened: [String: any Backend] = [:]

    /// The backend named `name`, or a typed error saying why it cannot be used here.
    static func backend(named name: String) throws -> any Backend {
        try lock.withLock {
            if let backend = opened[name] { return backend }
            let backend: any Backend
            switch name {
            case "cpu":
                backend = CPUBackend.shared
            case "cuda":
                backend = try CUDABackend()
            default:
                throw BackendUnavailable(name: name, reason: "no engine for this backend yet (the PyTorch FSDP / vLLM adapters are planned); use backend: cpu or backend: cuda")
            }
            opened[name] = backend
            return backend
        }
    }
}

extension ComputeBackends {
    /// The code units a backend's results are computed by beyond S1Engine (which every model step lists).
    static func codeUnits(backend name: String) -> [String] {
        name == "cuda" ? ["S1CUDA"] : []
    }
}

/// A backend that the experiment names but this machine or build cannot run.
struct BackendUnavailable: Error, CustomStringConvertible {
    let name: String
    let reason: String
    var description: String { "backend '\(name)' is unavailable: \(reason)" }
}
