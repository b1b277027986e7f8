import XCTest
import S1Engine

final class SafeTensorsTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("s1-safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func testBF16AndF16ConvertExactlyAsTorch() throws {
        let file = try SafeTensorsFile(url: EngineFixtures.root.appendingPathComponent("dtypes.safetensors"))
        XCTAssertEqual(file.tensors["values.bf16"]?.dtype, "BF16")
        XCTAssertEqual(file.tensors["values.f16"]?.dtype, "F16")
        XCTAssertEqual(try file.floats("values.bf16"), try file.floats("values.bf16.as_f32"))
        XCTAssertEqual(try file.floats("values.f16"), try file.floats("values.f16.as_f32"))
    }

    func testWriteReadRoundTripF32AndBF16() throws {
        let values: [Float] = [0, -0.0, 1, -2.5, 3.1415926, 1e-20, 65504, -1e30, 0.1]
        let url = scratch.appendingPathComponent("x.safetensors")
        try values.withUnsafeBufferPointer { buffer in
            try SafeTensorsWriter.write([SafeTensorRecord(name: "b", shape: [3, 3], values: buffer),
                                         SafeTensorRecord(name: "a", shape: [9], values: buffer)], to: url)
        }
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(file.names, ["a", "b"])
        XCTAssertEqual(try file.floats("b").map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(file.tensors["b"]?.shape, [3, 3])
        // BF16 written by us equals torch's rounding (fixture pairs) and reads back as the rounded value.
        let fixture = try SafeTensorsFile(url: EngineFixtures.root.appendingPathComponent("dtypes.safetensors"))
        let torchRounded = try fixture.floats("values.bf16.as_f32")
        // Values exactly representable in bf16 stay as they are; rounding matches torch's.
        let bfURL = scratch.appendingPathComponent("bf.safetensors")
        try torchRounded.withUnsafeBufferPointer { buffer in
            try SafeTensorsWriter.write([SafeTensorRecord(name: "v", shape: [torchRounded.count], values: buffer)], dtype: .bf16, to: bfURL)
        }
        XCTAssertEqual(try SafeTensorsFile(url: bfURL).floats("v"), torchRounded)
        XCTAssertEqual(Float(bitPattern: UInt32(SafeTensorsWriter.bfloat16Bits(1.00390625)) << 16), 1.0) // tie → even
        XCTAssertEqual(Float(bitPattern: UInt32(SafeTensorsWriter.bfloat16Bits(1.01171875)) << 16), 1.015625) // tie → even (up)
        // The same tensors give the same bytes.
        let again = scratch.appendingPathComponent("y.safetensors")
        try values.withUnsafeBufferPointer { buffer in
            try SafeTensorsWriter.write([SafeTensorRecord(name: "a", shape: [9], values: buffer),
                                         SafeTensorRecord(name: "b", shape: [3, 3], values: buffer)], to: again)
        }
        XCTAssertEqual(try Data(contentsOf: url), try Data(contentsOf: again))
    }

    /// A file with a hand-written header and `dataBytes` zero bytes of data.
    func writeRaw(_ header: String, dataBytes: Int, name: String = "t.safetensors", declaredLength: UInt64? = nil) throws -> URL {
        var data = Data()
        let headerData = Data(header.utf8)
        withUnsafeBytes(of: (declaredLength ?? UInt64(headerData.count)).littleEndian) { data.append(contentsOf: $0) }
        data.append(headerData)
        data.append(Data(count: dataBytes))
        let url = scratch.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    func testTypedErrorsNameThePath() throws {
        let truncated = try writeRaw(#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 8)
        XCTAssertThrowsError(try SafeTensorsFile(url: truncated)) { error in
            XCTAssertEqual(error as? EngineError, .truncatedFile(path: truncated.path, expectedBytes: 8 + 55 + 16, foundBytes: 8 + 55 + 8))
        }
        let shortHeader = try writeRaw("{}", dataBytes: 0, name: "h.safetensors", declaredLength: 1000)
        XCTAssertThrowsError(try SafeTensorsFile(url: shortHeader)) { error in
            guard case .truncatedFile(let path, _, _)? = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, shortHeader.path)
        }
        let notJSON = try writeRaw("{not json", dataBytes: 0, name: "j.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile(url: notJSON)) { error in
            guard case .corruptHeader(let path, _)? = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, notJSON.path)
        }
        let badSpan = try writeRaw(#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,12]}}"#, dataBytes: 12, name: "s.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile(url: badSpan)) { error in
            guard case .corruptHeader? = error as? EngineError else { return XCTFail("\(error)") }
        }
        let int64 = try writeRaw(#"{"x":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}"#, dataBytes: 16, name: "i.safetensors")
        let file = try SafeTensorsFile(url: int64)
        XCTAssertThrowsError(try file.floats("x")) { error in
            XCTAssertEqual(error as? EngineError, .unsupportedDType(path: int64.path, name: "x", dtype: "I64"))
        }
        XCTAssertThrowsError(try file.floats("y")) { error in
            XCTAssertEqual(error as? EngineError, .missingTensor(path: int64.path, name: "y"))
        }
        XCTAssertFalse((EngineError.shapeMismatch(path: "p", name: "n", expected: [2, 3], found: [3, 2])).description.isEmpty)
    }

    func testCheckpointErrorsForMissingTensorAndShapeMismatch() throws {
        let model = try Qwen2Model.load(directory: EngineFixtures.checkpoint("qwen2-tied"))
        // Save with a config whose intermediate size differs: loading must name the tensor and both shapes.
        let folder = scratch.appendingPathComponent("ckpt")
        try model.save(directory: folder)
        var wrong = model.config
        wrong.intermediateSize = 65
        let other = try Qwen2Model(config: wrong)
        XCTAssertThrowsError(try other.loadWeights(directory: folder)) { error in
            XCTAssertEqual(error as? EngineError, .shapeMismatch(path: folder.appendingPathComponent("model.safetensors").path,
                                                                 name: "model.layers.0.mlp.gate_proj.weight",
                                                                 expected: [65, 32], found: [64, 32]))
        }
        var untied = model.config
        untied.tieWordEmbeddings = false
        XCTAssertThrowsError(try Qwen2Model(config: untied).loadWeights(directory: folder)) { error in
            XCTAssertEqual(error as? EngineError, .missingTensor(path: folder.appendingPathComponent("model.safetensors").path,
                                                                 name: "lm_head.weight"))
        }
        XCTAssertThrowsError(try Qwen2Model.load(directory: scratch.appendingPathComponent("absent"))) { error in
            guard case .fileNotFound? = error as? EngineError else { return XCTFail("\(error)") }
        }
    }

    func testSaveLoadRoundTripIsExactAndBF16IsClose() throws {
        let model = try Qwen2Model.load(directory: EngineFixtures.checkpoint("qwen2-untied"))
        let folder = scratch.appendingPathComponent("f32")
        try model.save(directory: folder)
        let loaded = try Qwen2Model.load(directory: folder)
        XCTAssertEqual(loaded.config, model.config)
        XCTAssertEqual(loaded.parameters.toArray(), model.parameters.toArray())
        let bfFolder = scratch.appendingPathComponent("bf16")
        try model.save(directory: bfFolder, dtype: .bf16)
        let bf = try Qwen2Model.load(directory: bfFolder)
        let original = model.parameters.toArray()
        for (a, b) in zip(bf.parameters.toArray(), original) {
            XCTAssertLessThanOrEqual(abs(a - b), abs(b) * 0x1p-8)
        }
    }

    func testInvalidConfigListsEveryProblem() {
        let config = Qwen2Config(hiddenSize: 30, intermediateSize: 0, numHiddenLayers: 1, numAttentionHeads: 4,
                                 numKeyValueHeads: 3, vocabSize: 10)
        XCTAssertThrowsError(try config.validate(path: "x.yaml")) { error in
            guard case .invalidConfig(let path, let problems)? = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "x.yaml")
            XCTAssertEqual(problems.count, 1)  // intermediate_size; the divisibility checks run once sizes are positive
        }
        let indivisible = Qwen2Config(hiddenSize: 30, intermediateSize: 8, numHiddenLayers: 1, numAttentionHeads: 4,
                                      numKeyValueHeads: 3, vocabSize: 10)
        XCTAssertEqual(indivisible.problems().count, 2)
    }
}

final class CheckpointSummaryTests: XCTestCase {
    func testSummaryListsShardedTensors() throws {
        let summary = try CheckpointSummary.inspect(directory: EngineFixtures.checkpoint("qwen2-untied"))
        // embed + lm_head (257·32 each) + norm (32) + 2 layers of (q 32·32+32, k,v 8·32+8 each, o 32·32,
        // 2 norms 32, gate/up/down 48·32 each).
        let perLayer = (32 * 32 + 32) + 2 * (8 * 32 + 8) + 32 * 32 + 2 * 32 + 3 * 48 * 32
        XCTAssertEqual(summary.parameterCount, 2 * 257 * 32 + 32 + 2 * perLayer)
        XCTAssertEqual(summary.tensors.count, 3 + 2 * 12)
        XCTAssertEqual(summary.dtypeCounts, ["F32": 27])
        XCTAssertEqual(Set(summary.tensors.map(\.file)).count, 4)
        XCTAssertEqual(summary.tensors.first { $0.name == "lm_head.weight" }?.shape, [257, 32])
    }
}
