"""What the PyTorch benchmark peers (bench_pytorch*.py) share: xlm-roberta-base's shapes with dropout 0.1,
as `xsns bench --shape xlmr-base` builds them (random weights)."""
from transformers import XLMRobertaConfig


def xlmr_base_config() -> XLMRobertaConfig:
    return XLMRobertaConfig(vocab_size=250002, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                            intermediate_size=3072, max_position_embeddings=514, type_vocab_size=1,
                            layer_norm_eps=1e-5, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
