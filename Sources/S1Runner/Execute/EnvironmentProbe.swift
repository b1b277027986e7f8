/// Gathers the execution environment for a backend.
enum EnvironmentProbe {
    static func environment(backend: String) -> ExecutionEnvironment {
        ExecutionEnvironment(backend: backend, kernelFacts: [:], descriptiveFacts: ExecutionEnvironment.describeMachine())
    }
}
