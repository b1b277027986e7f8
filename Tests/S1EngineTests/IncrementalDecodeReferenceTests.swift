import XCTest
import S1Engine

/// Proves the contract documented on `Qwen2Model.logits(tokens:rowInvariant:)`: a token-by-token decoder with a
/// KV cache, built only from the public kernels, reproduces the row-invariant full forward bit for bit.
final class IncrementalDecodeReferenceTests: XCTestCase {
    func testTokenByTokenDecodingMatchesTheFullForwardBitwise() throws {
        for name in ["qwen2-tied", "qwen2-untied"] {
            let model = try Qwen2Model.load(directory: EngineFixtures.checkpoint(name))
            let tokens = try EngineFixtures.expected(name).inputIds[1]
            let full = try model.logits(tokens: [tokens], rowInvariant: true)
            let c = model.config
            let C = c.hiddenSize, I = c.intermediateSize, V = c.vocabSize, d = c.headDim
            let qDim = c.queryDim, kvDim = c.keyValueDim, qkvDim = qDim + 2 * kvDim, eps = Float(c.rmsNormEps)
            var keyCache = [[Float]](repeating: [], count: c.numHiddenLayers)
            var valueCache = [[Float]](repeating: [], count: c.numHiddenLayers)
            for (position, token) in tokens.enumerated() {
                var x = Array(UnsafeBufferPointer(start: model.embeddingWeights + Int(token) * C, count: C))
                var norm = [Float](repeating: 0, count: C), qkv = [Float](repeating: 0, count: qkvDim)
                var cos = [Float](repeating: 0, count: d / 2), sin = [Float](repeating: 0, count: d / 2)
                model.rotary.angles(position: position, cos: &cos, sin: &sin)
                for l in 0..<c.numHiddenLayers {
                    let w = model.layerWeights(l)
                    RMSNorm.forward(out: &norm, rstd: nil, inp: x, weight: w.inputNorm, rows: 1, channels: C, eps: eps)
                    Linear.forwardRowInvariant(out: &qkv, inp: norm, weight: w.qkvWeight, bias: w.qkvBias, rows: 1, inFeatures: C, outFeatures: qkvDim)
                    var q = Array(qkv[0..<qDim]), k = Array(qkv[qDim..<(qDim + kvDim)])
                    RotaryEmbedding.apply(&q, heads: c.numAttentionHeads, headDim: d, cos: cos, sin: sin)
                    RotaryEmbedding.apply(&k, heads: c.numKeyValueHeads, headDim: d, cos: cos, sin: sin)
                    keyCache[l] += k
                    valueCache[l] += qkv[(qDim + kvDim)...]
                    var attention = [Float](repeating: 0, count: qDim), scores = [Float](repeating: 0, count: position + 1)
                    for h in 0..<c.numAttentionHeads {
                        let g = h / c.queriesPerKeyValueHead
                        keyCache[l].withUnsafeBufferPointer { keys in
                            valueCache[l].withUnsafeBufferPointer { values in
                                attention.withUnsafeMutableBufferPointer { out in
                                    _ = CausalAttention.attendRow(out: out.baseAddress! + h * d, query: Array(q[(h * d)..<(h * d + d)]),
                                                                  keys: keys.baseAddress! + g * d, values: values.baseAddress! + g * d,
                                                                  rowStride: kvDim, count: position + 1, headDim: d,
                                                                  scale: 1 / Float(d).squareRoot(), scores: &scores)
                                }
                            }
                        }
                    }
                    var projected = [Float](repeating: 0, count: C)
                    Linear.forwardRowInvariant(out: &projected, inp: attention, weight: w.oWeight, bias: nil, rows: 1, inFeatures: qDim, outFeatures: C)
                    for i in 0..<C { projected[i] += x[i] }
                    x = projected
                    RMSNorm.forward(out: &norm, rstd: nil, inp: x, weight: w.postAttentionNorm, rows: 1, channels: C, eps: eps)
                    var gateUp = [Float](repeating: 0, count: 2 * I), hidden = [Float](repeating: 0, count: I)
                    Linear.forwardRowInvariant(out: &gateUp, inp: norm, weight: w.gateUpWeight, bias: nil, rows: 1, inFeatures: C, outFeatures: 2 * I)
                    SwiGLU.forward(out: &hidden, gate: gateUp, up: Array(gateUp[I...]), count: I)
                    var down = [Float](repeating: 0, count: C)
                    Linear.forwardRowInvariant(out: &down, inp: hidden, weight: w.downWeight, bias: nil, rows: 1, inFeatures: I, outFeatures: C)
                    for i in 0..<C { down[i] += x[i] }
                    x = down
                }
                RMSNorm.forward(out: &norm, rstd: nil, inp: x, weight: model.finalNormWeights, rows: 1, channels: C, eps: eps)
                var logits = [Float](repeating: 0, count: V)
                Linear.forwardRowInvariant(out: &logits, inp: norm, weight: model.lmHeadWeights, bias: nil, rows: 1, inFeatures: C, outFeatures: V)
                XCTAssertEqual(logits.map(\.bitPattern), full[(position * V)..<((position + 1) * V)].map(\.bitPattern),
                               "\(name) position \(position)")
            }
        }
    }
}
