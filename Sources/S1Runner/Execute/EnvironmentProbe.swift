import S1Engine

/// Gathers the execution environment for a backend.
enum EnvironmentProbe {
    /// For the CPU engine: pins OpenBLAS to one thread (a count that would otherwise vary between machines) and
    /// keys every step on the BLAS kernel family, thread count and CPU features that can change float results.
    static func environment(backend: String) -> ExecutionEnvironment {
        var kernels: [String: String] = [:]
        if backend == "cpu" {
            for (key, value) in EngineEnvironment.configure(blasThreads: 1).fingerprint { kernels[key] = value }
        }
        return ExecutionEnvironment(backend: backend, kernelFacts: kernels, descriptiveFacts: ExecutionEnvironment.describeMachine())
    }
}
