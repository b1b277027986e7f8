import S1Engine

/// Gathers the execution environment for a backend.
enum EnvironmentProbe {
    /// For the CPU engine: the engine's fixed thread count (`EngineEnvironment.defaultThreads`, never this
    /// machine's core count) with OpenBLAS at one thread per call; every step is keyed on the BLAS kernel family,
    /// the thread counts and the CPU features that can change float results.
    /// For CUDA: the device, driver, compiler and kernel sources (opening the backend once); where it cannot be
    /// opened, "unavailable", and running a model step reports why.
    static func environment(backend: String) -> ExecutionEnvironment {
        var kernels: [String: String] = [:]
        switch backend {
        case "cpu":
            EngineEnvironment.configure(threads: EngineEnvironment.defaultThreads)
            kernels = CPUBackend.shared.kernelFacts
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
        return ExecutionEnvironment(backend: backend, kernelFacts: kernels, descriptiveFacts: ExecutionEnvironment.describeMachine())
    }
}
