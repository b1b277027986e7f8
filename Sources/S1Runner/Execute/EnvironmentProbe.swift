import S1Engine

/// Gathers the execution environment for a backend.
enum EnvironmentProbe {
    /// For the CPU engine: the thread count (`S1_THREADS`, else every core) is set and recorded; only the kernels'
    /// arithmetic version and the reference instruction set are keyed, since no thread count or CPU model changes
    /// a bit (see `EngineEnvironment`).
    /// For CUDA: the device, driver, compiler and kernel sources (opening the backend once); where it cannot be
    /// opened, "unavailable", and running a model step reports why.
    static func environment(backend: String) throws -> ExecutionEnvironment {
        var kernels: [String: String] = [:]
        var described = ExecutionEnvironment.describeMachine()
        switch backend {
        case "cpu":
            EngineEnvironment.configure(threads: try EngineEnvironment.defaultThreads())
            kernels = CPUBackend.shared.kernelFacts
            described.merge(CPUBackend.shared.recordedFacts) { _, engine in engine }
        case "cuda":
            do {
                kernels = try ComputeBackends.backend(named: backend).kernelFacts
            } catch {
                // Keys must not carry machine paths; the error itself is reported by the first model step.
                kernels["cuda"] = "unavailable"
            }
        default:
            break
        }
        return ExecutionEnvironment(backend: backend, kernelFacts: kernels, descriptiveFacts: described)
    }
}
