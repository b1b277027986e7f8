import Foundation
import S1Store

/// Why a step will run: the first run, or which parameter, input, code or environment fact changed (old → new).
enum MissExplanation {
    static func reason(step: PlannedStep, newMaterial: StepKeyMaterial, previousKey: Digest?,
                       records: StepRecordStore, store: ContentStore) -> String {
        guard let previousKey else { return "no earlier result for this step" }
        if previousKey == (try? newMaterial.key()) { return "its outputs are missing from the store" }
        guard let previous = records.record(for: previousKey),
              let data = try? store.data(for: previous.keyMaterial),
              let old = try? JSONSerialization.jsonObject(with: data),
              let new = try? JSONSerialization.jsonObject(with: newMaterial.canonical.canonicalJSON()) else {
            return "its key changed (the earlier record is gone, so the change cannot be named)"
        }
        let changes = JSONDifference.between(old, new)
        guard !changes.isEmpty else { return "its key changed" }
        let described = changes.prefix(4).map { change -> String in
            switch change.path {
            case let path where path.hasPrefix("code.units."):
                // "code changed: S1Engine": the unit whose source files differ, with short digests.
                let unit = path.dropFirst("code.units.".count)
                return "code changed: \(unit) (\(change.old.map { String($0.prefix(12)) } ?? "absent") → \(change.new.map { String($0.prefix(12)) } ?? "absent"))"
            case let path where path.hasPrefix("code"): return "code changed (\(change.summary))"
            default: return change.summary
            }
        }
        let more = changes.count > 4 ? " (+\(changes.count - 4) more)" : ""
        return described.joined(separator: "; ") + more
    }
}

/// Leaf-level differences between two JSON trees, as dotted paths with old → new values.
public struct JSONDifference: Equatable, Sendable {
    public let path: String
    public let old: String?
    public let new: String?

    public var summary: String {
        "\(path): \(old ?? "absent") → \(new ?? "absent")"
    }

    public static func between(_ old: Any?, _ new: Any?, path: String = "") -> [JSONDifference] {
        switch (old, new) {
        case (let a as [String: Any], let b as [String: Any]):
            let keys = Set(a.keys).union(b.keys).sorted()
            return keys.flatMap { key in between(a[key], b[key], path: path.isEmpty ? key : "\(path).\(key)") }
        case (let a as [Any], let b as [Any]) where a.count == b.count:
            return zip(a, b).enumerated().flatMap { index, pair in between(pair.0, pair.1, path: "\(path)[\(index)]") }
        default:
            let oldText = old.map(render), newText = new.map(render)
            return oldText == newText ? [] : [JSONDifference(path: path, old: oldText, new: newText)]
        }
    }

    /// Compact JSON text of a value; numbers in shortest round-trip form.
    static func render(_ value: Any) -> String {
        switch value {
        case let string as String: return string.count > 40 ? "\"\(string.prefix(37))…\"" : "\"\(string)\""
        case let number as NSNumber:
            // JSONSerialization gives booleans the Objective-C type code of a char.
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return number.doubleValue == number.doubleValue.rounded() && abs(number.doubleValue) < 1e15
                ? String(Int64(number.doubleValue)) : "\(number.doubleValue)"
        case is NSNull: return "null"
        default:
            guard JSONSerialization.isValidJSONObject(value),
                  let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
                return "\(value)"
            }
            let text = String(decoding: data, as: UTF8.self)
            return text.count > 60 ? String(text.prefix(57)) + "…" : text
        }
    }
}
