import Foundation

/// Hyperparameters of a Qwen2 causal LM, read from a Hugging Face `config.json` (HF field names through
/// `CodingKeys`) or built in code for the tiny models an experiment initialises from scratch.
public struct Qwen2Config: Codable, Equatable, Hashable, Sendable {
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numKeyValueHeads: Int
    public var vocabSize: Int
    public var ropeTheta: Double
    public var rmsNormEps: Double
    public var tieWordEmbeddings: Bool
    public var maxPositionEmbeddings: Int
    /// The dtype the checkpoint was saved in (informational; the CPU engine computes in fp32).
    public var torchDtype: String?
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    public var modelType: String?
    /// `rope_parameters.rope_type` (or `rope_scaling.type`); only "default" is implemented.
    public var ropeType: String = "default"
    /// `use_sliding_window`; sliding-window attention is not implemented.
    public var usesSlidingWindow: Bool = false

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads"
        case vocabSize = "vocab_size"
        case ropeTheta = "rope_theta"
        case rmsNormEps = "rms_norm_eps"
        case tieWordEmbeddings = "tie_word_embeddings"
        case maxPositionEmbeddings = "max_position_embeddings"
        case torchDtype = "torch_dtype"
        case bosTokenId = "bos_token_id"
        case eosTokenId = "eos_token_id"
        case modelType = "model_type"
    }

    /// Names that moved between transformers releases (v5 writes `dtype` and nests `rope_theta` in
    /// `rope_parameters`; v4 wrote `torch_dtype`, a top-level `rope_theta` and `rope_scaling`).
    enum ReleaseKeys: String, CodingKey {
        case dtype
        case ropeParameters = "rope_parameters"
        case ropeScaling = "rope_scaling"
        case useSlidingWindow = "use_sliding_window"
    }

    struct RopeParameters: Decodable {
        var ropeTheta: Double?
        var ropeType: String?
        var type: String?
        enum CodingKeys: String, CodingKey {
            case ropeTheta = "rope_theta", ropeType = "rope_type", type
        }
    }

    /// Memberwise initialiser for tiny models. Defaults follow HF `Qwen2Config` where it has one.
    public init(hiddenSize: Int, intermediateSize: Int, numHiddenLayers: Int, numAttentionHeads: Int,
                numKeyValueHeads: Int, vocabSize: Int, ropeTheta: Double = 10_000, rmsNormEps: Double = 1e-6,
                tieWordEmbeddings: Bool = true, maxPositionEmbeddings: Int = 32_768, torchDtype: String? = "float32",
                bosTokenId: Int? = nil, eosTokenId: Int? = nil) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads
        self.vocabSize = vocabSize
        self.ropeTheta = ropeTheta
        self.rmsNormEps = rmsNormEps
        self.tieWordEmbeddings = tieWordEmbeddings
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.torchDtype = torchDtype
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.modelType = "qwen2"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        numHiddenLayers = try c.decode(Int.self, forKey: .numHiddenLayers)
        numAttentionHeads = try c.decode(Int.self, forKey: .numAttentionHeads)
        // HF: a missing num_key_value_heads means multi-head attention.
        numKeyValueHeads = try c.decodeIfPresent(Int.self, forKey: .numKeyValueHeads) ?? numAttentionHeads
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        let release = try decoder.container(keyedBy: ReleaseKeys.self)
        let ropeParameters = try release.decodeIfPresent(RopeParameters.self, forKey: .ropeParameters)
        let ropeScaling = try release.decodeIfPresent(RopeParameters.self, forKey: .ropeScaling)
        ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? ropeParameters?.ropeTheta ?? 10_000
        ropeType = ropeParameters?.ropeType ?? ropeScaling?.ropeType ?? ropeScaling?.type ?? "default"
        usesSlidingWindow = try release.decodeIfPresent(Bool.self, forKey: .useSlidingWindow) ?? false
        rmsNormEps = try c.decodeIfPresent(Double.self, forKey: .rmsNormEps) ?? 1e-6
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 32_768
        torchDtype = try c.decodeIfPresent(String.self, forKey: .torchDtype)
            ?? release.decodeIfPresent(String.self, forKey: .dtype)
        bosTokenId = try? c.decodeIfPresent(Int.self, forKey: .bosTokenId)
        // eos_token_id may be a list in some configs; keep the first.
        if let single = try? c.decodeIfPresent(Int.self, forKey: .eosTokenId) {
            eosTokenId = single
        } else {
            eosTokenId = (try? c.decodeIfPresent([Int].self, forKey: .eosTokenId))?.first
        }
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType)
    }

    /// Width of one attention head.
    public var headDim: Int { hiddenSize / numAttentionHeads }
    /// Width of all query heads together (`numAttentionHeads * headDim`).
    public var queryDim: Int { numAttentionHeads * headDim }
    /// Width of all key (or value) heads together (`numKeyValueHeads * headDim`).
    public var keyValueDim: Int { numKeyValueHeads * headDim }
    /// Query heads that share one key/value head.
    public var queriesPerKeyValueHead: Int { numAttentionHeads / numKeyValueHeads }

    /// The reasons this configuration cannot build a model, empty when it can.
    public func problems() -> [String] {
        var found: [String] = []
        func positive(_ value: Int, _ name: String) { if value <= 0 { found.append("\(name) must be > 0, found \(value)") } }
        positive(hiddenSize, "hidden_size")
        positive(intermediateSize, "intermediate_size")
        positive(numHiddenLayers, "num_hidden_layers")
        positive(numAttentionHeads, "num_attention_heads")
        positive(numKeyValueHeads, "num_key_value_heads")
        positive(vocabSize, "vocab_size")
        if found.isEmpty {
            if hiddenSize % numAttentionHeads != 0 {
                found.append("hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
            } else if headDim % 2 != 0 {
                found.append("head dimension \(headDim) must be even for rotary embeddings")
            }
            if numAttentionHeads % numKeyValueHeads != 0 {
                found.append("num_attention_heads \(numAttentionHeads) is not a multiple of num_key_value_heads \(numKeyValueHeads)")
            }
        }
        if ropeType != "default" { found.append("rope type '\(ropeType)' is not supported (only default RoPE)") }
        if usesSlidingWindow { found.append("use_sliding_window is true; sliding-window attention is not supported") }
        if !(rmsNormEps > 0) { found.append("rms_norm_eps must be > 0, found \(rmsNormEps)") }
        if !(ropeTheta > 0) { found.append("rope_theta must be > 0, found \(ropeTheta)") }
        return found
    }

    /// Throws `EngineError.invalidConfig` naming every problem at once.
    public func validate(path: String = "<memory>") throws {
        let found = problems()
        if !found.isEmpty { throw EngineError.invalidConfig(path: path, problems: found) }
    }

    /// Reads and validates a `config.json`.
    public static func load(from url: URL) throws -> Qwen2Config {
        guard let data = try? Data(contentsOf: url) else { throw EngineError.fileNotFound(path: url.path) }
        let config: Qwen2Config
        do {
            config = try JSONDecoder().decode(Qwen2Config.self, from: data)
        } catch {
            throw EngineError.invalidConfig(path: url.path, problems: ["\(error)"])
        }
        try config.validate(path: url.path)
        return config
    }

    /// Encodes with HF names and sorted keys, as a `config.json` next to saved weights.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(self)
    }
}
