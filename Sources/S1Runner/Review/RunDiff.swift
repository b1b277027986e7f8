import Foundation
import S1Spec
import S1Store

/// `s1 diff A B`: what differs between two runs (ids, folders or archives): spec values, step keys with the
/// reason, and metrics.
extension Workspace {
    public struct RunDiffReport {
        public let left: String
        public let right: String
        public let spec: [JSONDifference]
        public let steps: [StepKeyDifference]
        public let metrics: [JSONDifference]
    }

    public struct StepKeyDifference {
        public let name: String
        /// `same key`, `different key`, `only in A`, `only in B`.
        public let status: String
        /// For different keys: what in the key's preimage changed.
        public let reasons: [JSONDifference]
        public let outputsIdentical: Bool?
    }

    public func diff(_ left: String, _ right: String) throws -> RunDiffReport {
        let a = try openRun(left), b = try openRun(right)
        defer { a.cleanup(); b.cleanup() }
        let recordA = try a.run.record(), recordB = try b.run.record()
        let specA = try SpecLoader.load(text: try a.run.specText(), fileName: "A/spec.yaml", baseDirectory: ".")
        let specB = try SpecLoader.load(text: try b.run.specText(), fileName: "B/spec.yaml", baseDirectory: ".")

        var steps: [StepKeyDifference] = []
        let names = recordA.steps.map(\.name) + recordB.steps.map(\.name).filter { recordA.step(named: $0) == nil }
        for name in names {
            switch (recordA.step(named: name), recordB.step(named: name)) {
            case (let x?, let y?):
                let sameOutputs = x.outputs.map(\.digest) == y.outputs.map(\.digest)
                if x.key == y.key {
                    steps.append(StepKeyDifference(name: name, status: "same key", reasons: [], outputsIdentical: sameOutputs))
                } else {
                    let reasons = JSONDifference.between(keyMaterial(x, in: a.run), keyMaterial(y, in: b.run))
                    steps.append(StepKeyDifference(name: name, status: "different key", reasons: reasons,
                                                   outputsIdentical: sameOutputs))
                }
            case (_?, nil):
                steps.append(StepKeyDifference(name: name, status: "only in A", reasons: [], outputsIdentical: nil))
            case (nil, _?):
                steps.append(StepKeyDifference(name: name, status: "only in B", reasons: [], outputsIdentical: nil))
            case (nil, nil):
                continue
            }
        }
        return RunDiffReport(
            left: a.run.runID, right: b.run.runID,
            spec: JSONDifference.between(specA.tree.jsonObject, specB.tree.jsonObject),
            steps: steps,
            metrics: JSONDifference.between(a.run.results(), b.run.results()))
    }

    private func keyMaterial(_ outcome: StepOutcome, in run: RunDirectory) -> Any? {
        let records = StepRecordStore(root: run.store)
        guard let record = records.record(for: outcome.key),
              let store = try? ContentStore(root: run.store),
              let data = try? store.data(for: record.keyMaterial) else { return nil }
        return try? JSONSerialization.jsonObject(with: data)
    }
}

extension SpecValue {
    /// The value as Foundation JSON objects, for generic diffing.
    var jsonObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let value): return value
        case .int(let value): return value
        case .double(let value): return value
        case .string(let value): return value
        case .list(let values): return values.map(\.jsonObject)
        case .map(let fields): return fields.mapValues(\.jsonObject)
        }
    }
}
