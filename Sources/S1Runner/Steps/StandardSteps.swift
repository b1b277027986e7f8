/// The step kinds this build of `s1` can execute.
public enum StandardSteps {
    public static var registry: StepRegistry {
        StepRegistry([
            SyntheticPoolStep(), ImportPoolStep(), ImportBenchmarkStep(), SelectStep(),
            PretrainStep(), SFTStep(), AttemptsStep(), EvaluateStep(), SharedEvaluationStep(), MetricsStep(),
            CompareVariantsStep(),
        ])
    }
}
