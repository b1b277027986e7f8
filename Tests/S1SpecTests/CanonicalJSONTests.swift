import Foundation
import XCTest
import S1Spec

final class CanonicalJSONTests: XCTestCase {
    func testSortedKeysAndShortestNumbers() {
        let v = SpecValue.map(["b": .double(1e-5), "a": .list([.int(1), .double(1), .bool(true), .null]), "c": .string("q\"\n\u{1}")])
        XCTAssertEqual(v.canonicalJSON, #"{"a":[1,1.0,true,null],"b":1e-05,"c":"q\"\n\u0001"}"#)
    }

    func testParsesAsJSONWithTheSameContent() throws {
        let spec = try SpecLoader.load(path: repositoryRoot.appendingPathComponent("experiments/s1-32b.yaml").path)
        let text = spec.tree.canonicalJSON
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        XCTAssertEqual((object?["train"] as? [String: Any])?["lr"] as? Double, 1e-5)
        XCTAssertEqual((object?["seed"] as? Int), 42)
        // Same value however it was written.
        let a = try loadText(minimalSpec + "train: {lr: 1.0e-5, weight_decay: 0.0001}\n")
        let b = try loadText(minimalSpec + "train: {weight_decay: 1e-4}\n")
        XCTAssertEqual(a.tree.canonicalJSON, b.tree.canonicalJSON)
    }
}
