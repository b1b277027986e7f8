import Foundation
import S1Engine

/// Paths and readers for the golden fixtures made by scripts/make_engine_fixtures.py.
enum EngineFixtures {
    static var root: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    static func checkpoint(_ name: String) -> URL { root.appendingPathComponent(name) }

    struct Expected {
        let inputIds: [[Int32]]
        let lossMask: [[Bool]]
        let loss: Double
        let tensors: SafeTensorsFile
    }

    static func expected(_ name: String) throws -> Expected {
        let folder = checkpoint(name)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as! [String: Any]
        let ids = (json["input_ids"] as! [[NSNumber]]).map { $0.map { Int32($0.intValue) } }
        let mask = (json["loss_mask"] as! [[Bool]])
        let loss = (json["loss"] as! NSNumber).doubleValue
        let tensors = try SafeTensorsFile(url: folder.appendingPathComponent("expected.safetensors"))
        return Expected(inputIds: ids, lossMask: mask, loss: loss, tensors: tensors)
    }

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// ‖a − b‖ / max(‖b‖, tiny): relative error of a whole tensor.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count)
        var diff = 0.0, norm = 0.0
        for (x, y) in zip(a, b) {
            diff += Double(x - y) * Double(x - y)
            norm += Double(y) * Double(y)
        }
        return (diff / max(norm, 1e-30)).squareRoot()
    }
}
