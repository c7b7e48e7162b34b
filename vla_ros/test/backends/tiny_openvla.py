"""A tiny OpenVLA-style model and processor, shipped inside a test checkpoint as remote code.

It follows OpenVLA's action head exactly where the backend depends on it: actions are decoded
greedily as tokens from the top of the vocabulary, mapped to bin centres in [-1, 1], and
un-normalized with the checkpoint's q01/q99 statistics for `unnorm_key` (masked dims pass through).
Only the backbone is a toy (a patch convolution and a GRU instead of Prismatic + Llama 2).
"""

import numpy as np
import torch
from transformers import BatchFeature, PretrainedConfig, PreTrainedModel, ProcessorMixin


class TinyOpenVLAConfig(PretrainedConfig):
    model_type = "tiny_openvla"

    def __init__(self, vocab_size=64, hidden_size=32, n_action_bins=16, norm_stats=None, **kwargs):
        self.vocab_size, self.hidden_size, self.n_action_bins = (
            vocab_size,
            hidden_size,
            n_action_bins,
        )
        self.norm_stats = norm_stats or {}
        super().__init__(**kwargs)


class TinyOpenVLAForActionPrediction(PreTrainedModel):
    config_class = TinyOpenVLAConfig
    main_input_name = "pixel_values"

    def __init__(self, config):
        super().__init__(config)
        self.patch = torch.nn.Conv2d(3, config.hidden_size, kernel_size=8, stride=8)
        self.embed = torch.nn.Embedding(config.vocab_size, config.hidden_size)
        self.mix = torch.nn.GRU(config.hidden_size, config.hidden_size, batch_first=True)
        self.head = torch.nn.Linear(config.hidden_size, config.vocab_size)
        self.norm_stats = config.norm_stats
        bins = np.linspace(-1.0, 1.0, config.n_action_bins)
        self.bin_centers = (bins[:-1] + bins[1:]) / 2.0
        self.post_init()

    def _init_weights(self, module):
        """Keep PyTorch's default initialization (random weights are the point of this model)."""

    def forward(self, input_ids, pixel_values, attention_mask=None):
        patches = self.patch(pixel_values).flatten(2).transpose(1, 2)
        hidden, _ = self.mix(torch.cat([patches, self.embed(input_ids)], dim=1))
        return self.head(hidden)

    def get_action_dim(self, unnorm_key):
        return len(self.norm_stats[unnorm_key]["action"]["q01"])

    def predict_action(
        self,
        input_ids,
        pixel_values,
        attention_mask=None,
        unnorm_key=None,
        do_sample=False,
        **kwargs,
    ):
        ids = input_ids
        for _ in range(self.get_action_dim(unnorm_key)):
            logits = self(ids, pixel_values)[:, -1, -(self.config.n_action_bins - 1) :]
            token = (
                logits.argmax(-1, keepdim=True)
                + self.config.vocab_size
                - (self.config.n_action_bins - 1)
            )
            ids = torch.cat([ids, token], dim=1)
        tokens = ids[0, -self.get_action_dim(unnorm_key) :].cpu().numpy()
        discretized = np.clip(
            self.config.vocab_size - tokens - 1, 0, self.bin_centers.shape[0] - 1
        )
        normalized = self.bin_centers[discretized]
        stats = self.norm_stats[unnorm_key]["action"]
        mask = np.asarray(stats.get("mask", np.ones_like(stats["q01"], dtype=bool)))
        high, low = np.asarray(stats["q99"]), np.asarray(stats["q01"])
        return np.where(mask, 0.5 * (normalized + 1) * (high - low) + low, normalized)


class TinyOpenVLAProcessor(ProcessorMixin):
    attributes = ["image_processor", "tokenizer"]
    image_processor_class = "AutoImageProcessor"
    tokenizer_class = "AutoTokenizer"

    def __call__(self, text=None, images=None, return_tensors="pt", **kwargs):
        pixel_values = self.image_processor(images, return_tensors=return_tensors)["pixel_values"]
        encoded = self.tokenizer(text, return_tensors=return_tensors)
        return BatchFeature({**encoded, "pixel_values": pixel_values})
