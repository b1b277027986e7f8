import Foundation
import S1Engine
import S1Method

/// `compare-variants`: one row per configuration of an experiment with `variants:` (the base first), from each
/// configuration's selection summary, training record and results. Writes `variants.json`.
struct CompareVariantsStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.compareVariants

    struct Parameters: Decodable {
        struct Configuration: Decodable {
            struct Inputs: Decodable { let select: String?, train: String?, metrics: String? }
            let label: String
            let overrides: [String]
            let inputs: Inputs
        }
        let variants: [Configuration]
    }

    func run(_ context: StepContext) throws {
        let parameters = try context.parameters(as: Parameters.self)
        func decoded<T: Decodable>(_ type: T.Type, _ input: String?) throws -> T? {
            guard let input else { return nil }
            let url = try context.input(input)
            do {
                return try JSONDecoder().decode(type, from: try Data(contentsOf: url))
            } catch {
                throw StepFailure(step: context.step.name, message: "\(input) (\(url.lastPathComponent)) is not a readable \(type): \(error)")
            }
        }
        var rows: [VariantRow] = []
        for configuration in parameters.variants {
            rows.append(VariantRow(
                variant: configuration.label, overrides: configuration.overrides,
                selection: try decoded(SelectionSummary.self, configuration.inputs.select),
                training: try decoded(TrainingResult.self, configuration.inputs.train),
                results: try decoded(ResultsDocument.self, configuration.inputs.metrics)))
        }
        try context.writeOutput("variants.json", try VariantComparison(rows: rows).encoded())
        context.log("compared \(rows.count) configurations: " + rows.map(\.variant).joined(separator: ", "))
    }
}
