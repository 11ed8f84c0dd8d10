import Foundation
import XSNSStorage

/// The architecture of a BERT/RoBERTa-family encoder, read from a Hugging Face `config.json`.
public struct EncoderConfig: Equatable, Sendable {
    public enum Family: String, Sendable {
        /// `bert.*` tensors, `cls.predictions.*` MLM head, position ids from 0.
        case bert
        /// `roberta.*` tensors, `lm_head.*` MLM head, position ids from `pad_token_id + 1`.
        case roberta
    }

    public var modelType: String
    public var family: Family
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var intermediateSize: Int
    /// Only the exact erf form of GELU is supported (`gelu`); anything else is rejected on load.
    public var hiddenAct: String
    public var layerNormEps: Float
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var padTokenId: Int
    public var hiddenDropout: Float
    public var attentionDropout: Float
    /// `tie_word_embeddings`: when true (the default) a checkpoint may omit the MLM decoder weight.
    public var tieWordEmbeddings: Bool

    public var headDim: Int { hiddenSize / numHeads }
    /// Prefix of every base-model tensor name in the checkpoint.
    public var namePrefix: String { family.rawValue }
    /// The first position id: RoBERTa counts positions from `padding_idx + 1`.
    public var positionOffset: Int { family == .roberta ? padTokenId + 1 : 0 }

    /// The longest sequence (special tokens included) the position table can embed.
    public var positionLimit: Int { maxPositionEmbeddings - positionOffset }

    public init(
        modelType: String, vocabSize: Int, hiddenSize: Int, numLayers: Int, numHeads: Int,
        intermediateSize: Int, hiddenAct: String = "gelu", layerNormEps: Float = 1e-12,
        maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2, padTokenId: Int = 0,
        hiddenDropout: Float = 0.1, attentionDropout: Float = 0.1, tieWordEmbeddings: Bool = true
    ) throws {
        guard let family = Self.family(of: modelType) else {
            throw InputError("unsupported model_type '\(modelType)' (supported: bert, roberta, xlm-roberta)")
        }
        self.modelType = modelType
        self.family = family
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.numHeads = numHeads
        self.intermediateSize = intermediateSize
        self.hiddenAct = hiddenAct
        self.layerNormEps = layerNormEps
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.padTokenId = padTokenId
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.tieWordEmbeddings = tieWordEmbeddings
        try validate()
    }

    static func family(of modelType: String) -> Family? {
        switch modelType {
        case "bert": return .bert
        case "roberta", "xlm-roberta": return .roberta
        default: return nil
        }
    }

    private func validate() throws {
        let positive = [
            ("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("num_hidden_layers", numLayers),
            ("num_attention_heads", numHeads), ("intermediate_size", intermediateSize),
            ("max_position_embeddings", maxPositionEmbeddings),
        ]
        for (key, value) in positive where value <= 0 || value > 1 << 24 {
            throw InputError("\(key) must be a positive size, got \(value)")
        }
        guard hiddenSize % numHeads == 0 else {
            throw InputError("hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numHeads)")
        }
        guard hiddenAct == "gelu" else {
            throw InputError("unsupported hidden_act '\(hiddenAct)' (only the exact erf 'gelu' is supported)")
        }
        guard typeVocabSize >= 0, padTokenId >= 0, padTokenId < vocabSize else {
            throw InputError("pad_token_id \(padTokenId) or type_vocab_size \(typeVocabSize) out of range")
        }
        guard (0..<1).contains(hiddenDropout), (0..<1).contains(attentionDropout) else {
            throw InputError("dropout probabilities must be in [0, 1)")
        }
    }
}

extension EncoderConfig {
    private struct JSONForm: Decodable {
        var model_type: String
        var vocab_size: Int
        var hidden_size: Int
        var num_hidden_layers: Int
        var num_attention_heads: Int
        var intermediate_size: Int
        var hidden_act: String?
        var layer_norm_eps: Double?
        var max_position_embeddings: Int?
        var type_vocab_size: Int?
        var pad_token_id: Int?
        var hidden_dropout_prob: Double?
        var attention_probs_dropout_prob: Double?
        var position_embedding_type: String?
        var tie_word_embeddings: Bool?
    }

    /// Parses `config.json`; every problem is an `InputError` naming the file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InputError(file: url.path, "cannot read: \(error.localizedDescription)")
        }
        try self.init(json: data, file: url.path)
    }

    public init(json data: Data, file: String) throws {
        let form: JSONForm
        do { form = try JSONDecoder().decodeScreened(JSONForm.self, from: data) } catch let error as DecodingError {
            throw InputError(file: file, "not a usable config.json: \(Self.describe(error))")
        } catch {
            throw InputError(file: file, "not valid JSON")
        }
        // Relative position schemes change the attention computation; computing them as
        // absolute would give silently wrong Fisher values.
        if let positions = form.position_embedding_type, positions != "absolute" {
            throw InputError(file: file, "unsupported position_embedding_type '\(positions)' (only 'absolute')")
        }
        do {
            try self.init(
                modelType: form.model_type, vocabSize: form.vocab_size, hiddenSize: form.hidden_size,
                numLayers: form.num_hidden_layers, numHeads: form.num_attention_heads,
                intermediateSize: form.intermediate_size, hiddenAct: form.hidden_act ?? "gelu",
                layerNormEps: Float(form.layer_norm_eps ?? 1e-12),
                maxPositionEmbeddings: form.max_position_embeddings ?? 512,
                typeVocabSize: form.type_vocab_size ?? 2,
                padTokenId: form.pad_token_id ?? (form.model_type == "bert" ? 0 : 1),
                hiddenDropout: Float(form.hidden_dropout_prob ?? 0.1),
                attentionDropout: Float(form.attention_probs_dropout_prob ?? 0.1),
                tieWordEmbeddings: form.tie_word_embeddings ?? true)
        } catch var error as InputError {
            error.file = file
            throw error
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "wrong type for '\(path)'"
        case .dataCorrupted: return "not valid JSON"
        @unknown default: return "malformed"
        }
    }
}
