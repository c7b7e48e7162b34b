"""Tiny random-weight checkpoints built from the real LeRobot/transformers configs and saved with
their own save_pretrained, so the backends are tested through the loaders users run.

By default a model reads the WidowX over-shoulder camera at 64x64 and its 7-D joint state, and
outputs the 7 command dims [6 joints, gripper] (the cards written next to each checkpoint say so).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml


@dataclass(frozen=True)
class Embodiment:
    """What a tiny checkpoint reads and outputs: robot cameras (name, height, width) and command dims."""

    robot: str
    cameras: tuple[tuple[str, int, int], ...]
    dim: int

    def image_key(self, camera: str) -> str:
        return f"observation.images.{camera}"


WIDOWX = Embodiment("widowx", (("over_shoulder", 64, 64),), 7)
PANDA_3_CAMERAS = Embodiment(
    "panda", (("exterior_1", 224, 224), ("exterior_2", 224, 224), ("wrist", 224, 224)), 8
)


def lerobot_card(
    name: str, chunk_size: int, execute: int, rate: float = 30.0, body: Embodiment = WIDOWX
) -> dict:
    return {
        "name": name,
        "robot": body.robot,
        "action": {
            "space": "joint_position",
            "dim": body.dim,
            "targets": ["arm0.joints", "arm0.gripper"],
            "normalization": "model",
            "gripper": {"closed": 0.0, "open": 1.0},
        },
        "cameras": [
            {"key": body.image_key(c), "source": c, "size": [h, w]} for c, h, w in body.cameras
        ],
        "state": [
            {
                "key": "observation.state",
                "dim": body.dim,
                "targets": ["arm0.joints", "arm0.gripper"],
            }
        ],
        "control_rate": rate,
        "chunk_size": chunk_size,
        "execute": execute,
    }


def _features(body: Embodiment = WIDOWX):
    from lerobot.configs.types import FeatureType, PolicyFeature

    inputs = {
        body.image_key(c): PolicyFeature(type=FeatureType.VISUAL, shape=(3, h, w))
        for c, h, w in body.cameras
    }
    inputs["observation.state"] = PolicyFeature(type=FeatureType.STATE, shape=(body.dim,))
    outputs = {"action": PolicyFeature(type=FeatureType.ACTION, shape=(body.dim,))}
    return inputs, outputs


def dataset_stats(body: Embodiment = WIDOWX) -> dict:
    """Statistics that make un-normalization visible: actions centred on 0.3 rad with std 0.1."""
    import torch

    image = {
        "mean": torch.full((3, 1, 1), 0.5),
        "std": torch.full((3, 1, 1), 0.25),
        "min": torch.zeros((3, 1, 1)),
        "max": torch.ones((3, 1, 1)),
    }
    vector = {
        "mean": torch.full((body.dim,), 0.3),
        "std": torch.full((body.dim,), 0.1),
        "min": torch.full((body.dim,), -1.0),
        "max": torch.full((body.dim,), 1.0),
    }
    stats = {body.image_key(c): dict(image) for c, _, _ in body.cameras}
    return {**stats, "observation.state": dict(vector), "action": dict(vector)}


def save_lerobot_policy(config, directory: Path, card: dict, body: Embodiment = WIDOWX) -> Path:
    import torch
    from lerobot.policies.factory import get_policy_class, make_pre_post_processors

    torch.manual_seed(0)
    policy = get_policy_class(config.type)(config)
    preprocessor, postprocessor = make_pre_post_processors(
        config, dataset_stats=dataset_stats(body)
    )
    directory.mkdir(parents=True, exist_ok=True)
    policy.save_pretrained(directory)
    preprocessor.save_pretrained(directory)
    postprocessor.save_pretrained(directory)
    (directory / "vla_ros_card.yaml").write_text(yaml.safe_dump(card))
    return directory


def build_act(directory: Path, body: Embodiment = WIDOWX) -> Path:
    from lerobot.policies.act.configuration_act import ACTConfig

    inputs, outputs = _features(body)
    config = ACTConfig(
        input_features=inputs,
        output_features=outputs,
        chunk_size=10,
        n_action_steps=10,
        dim_model=32,
        n_heads=2,
        dim_feedforward=64,
        n_encoder_layers=1,
        n_decoder_layers=1,
        use_vae=False,
        pretrained_backbone_weights=None,
        device="cpu",
    )
    return save_lerobot_policy(
        config, directory, lerobot_card("tiny_act", 10, 10, rate=50.0, body=body), body
    )


def build_flow_film(directory: Path, body: Embodiment = WIDOWX) -> Path:
    """The suite's own flow_film policy (vla_ros.policies), small enough for a test."""
    from vla_ros.policies import FlowFilmConfig

    inputs, outputs = _features(body)
    config = FlowFilmConfig(
        input_features=inputs,
        output_features=outputs,
        conv_channels=(8, 16),
        keypoints=8,
        hidden_dim=64,
        device="cpu",
    )
    return save_lerobot_policy(
        config, directory, lerobot_card("tiny_flow_film", 10, 10, rate=10.0, body=body), body
    )


def build_diffusion(directory: Path) -> Path:
    from lerobot.policies.diffusion.configuration_diffusion import DiffusionConfig

    inputs, outputs = _features()
    config = DiffusionConfig(
        input_features=inputs,
        output_features=outputs,
        n_obs_steps=2,
        horizon=16,
        n_action_steps=8,
        crop_shape=(56, 56),
        pretrained_backbone_weights=None,
        use_group_norm=True,
        down_dims=(32, 64),
        diffusion_step_embed_dim=32,
        kernel_size=3,
        n_groups=4,
        num_inference_steps=3,
        device="cpu",
        spatial_softmax_num_keypoints=8,
    )
    return save_lerobot_policy(config, directory, lerobot_card("tiny_diffusion", 16, 8, rate=10.0))


def build_tiny_smolvlm(directory: Path, full_size: bool = False) -> Path:
    """A SmolVLM (Idefics3 architecture) with a word-level tokenizer, saved locally: two tiny layers with
    weights, or (full_size) only the config of SmolVLM2-500M's shape (SmolLM2-360M text model, SigLIP
    B/16 at 512 px, pixel shuffle 4), for SmolVLA to build with random weights."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        LlamaConfig,
        PreTrainedTokenizerFast,
        SmolVLMConfig,
        SmolVLMForConditionalGeneration,
        SmolVLMImageProcessor,
        SmolVLMProcessor,
        SmolVLMVideoProcessor,
    )
    from transformers.models.smolvlm.configuration_smolvlm import SmolVLMVisionConfig

    specials = [
        "<pad>",
        "<unk>",
        "<s>",
        "</s>",
        "<image>",
        "<fake_token_around_image>",
        "<global-img>",
        "<end_of_utterance>",
        "<row_1_col_1>",
    ]
    words = [
        "pick",
        "up",
        "the",
        "red",
        "cube",
        "put",
        "it",
        "in",
        "bowl",
        "stack",
        "on",
        "blue",
        "green",
        "move",
        "left",
        "right",
        "warm",
        "a",
        "an",
        "to",
        "of",
    ]
    vocab = {token: i for i, token in enumerate(specials + words)}
    tokenizer_model = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tokenizer_model.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer_model,
        pad_token="<pad>",
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        additional_special_tokens=specials[4:],
        extra_special_tokens={
            "image_token": "<image>",
            "fake_image_token": "<fake_token_around_image>",
            "global_image_token": "<global-img>",
            "end_of_utterance_token": "<end_of_utterance>",
        },
    )
    if full_size:
        text = LlamaConfig(
            vocab_size=49280,
            hidden_size=960,
            intermediate_size=2560,
            num_hidden_layers=32,
            num_attention_heads=15,
            num_key_value_heads=5,
            head_dim=64,
            max_position_embeddings=8192,
            rope_theta=100000.0,
            pad_token_id=0,
        )
        vision = SmolVLMVisionConfig(
            hidden_size=768,
            intermediate_size=3072,
            num_hidden_layers=12,
            num_attention_heads=12,
            image_size=512,
            patch_size=16,
        )
        scale, edge, seq = 4, 512, 64
    else:
        text = LlamaConfig(
            vocab_size=64,
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=16,
            max_position_embeddings=512,
            pad_token_id=0,
        )
        vision = SmolVLMVisionConfig(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=2,
            image_size=64,
            patch_size=16,
        )
        scale, edge, seq = 2, 64, 4
    config = SmolVLMConfig(
        text_config=text.to_dict(),
        vision_config=vision.to_dict(),
        scale_factor=scale,
        image_token_id=vocab["<image>"],
    )
    if full_size:
        config.save_pretrained(directory)
    else:
        torch.manual_seed(0)
        SmolVLMForConditionalGeneration(config).save_pretrained(directory)
    image_processor = SmolVLMImageProcessor(
        size={"longest_edge": edge},
        max_image_size={"longest_edge": edge},
        do_image_splitting=False,
    )
    processor = SmolVLMProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=SmolVLMVideoProcessor(),
        image_seq_len=seq,
    )
    processor.save_pretrained(directory)
    return directory


def build_smolvla(directory: Path, vlm_dir: Path) -> Path:
    from lerobot.policies.smolvla.configuration_smolvla import SmolVLAConfig

    inputs, outputs = _features()
    config = SmolVLAConfig(
        input_features=inputs,
        output_features=outputs,
        chunk_size=10,
        n_action_steps=10,
        vlm_model_name=str(vlm_dir),
        load_vlm_weights=True,
        num_vlm_layers=2,
        num_expert_layers=1,
        resize_imgs_with_padding=(64, 64),
        tokenizer_max_length=16,
        num_steps=2,
        device="cpu",
    )
    return save_lerobot_policy(config, directory, lerobot_card("tiny_smolvla", 10, 10))


def random_images(rng: np.random.Generator, robot) -> dict[str, np.ndarray]:
    return {
        c.name: rng.integers(0, 256, (c.height, c.width, 3), dtype=np.uint8) for c in robot.cameras
    }


BRIDGE_STATS = {
    "q01": [-0.03, -0.04, -0.03, -0.1, -0.1, -0.2, 0.0],
    "q99": [0.03, 0.04, 0.03, 0.1, 0.1, 0.2, 1.0],
    "mask": [True, True, True, True, True, True, False],
}


def build_openvla_style(directory: Path) -> Path:
    """Checkpoint dir with remote code (auto_map), safetensors weights, processor and two norm_stats keys."""
    import importlib.util
    import sys

    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import CLIPImageProcessor, PreTrainedTokenizerFast

    spec = importlib.util.spec_from_file_location(
        "tiny_openvla", Path(__file__).with_name("tiny_openvla.py")
    )
    code = importlib.util.module_from_spec(spec)
    sys.modules["tiny_openvla"] = code
    spec.loader.exec_module(code)
    code.TinyOpenVLAConfig.register_for_auto_class("AutoConfig")
    code.TinyOpenVLAForActionPrediction.register_for_auto_class("AutoModelForVision2Seq")
    code.TinyOpenVLAProcessor.register_for_auto_class("AutoProcessor")

    other = {"q01": [-1.0] * 7, "q99": [1.0] * 7, "mask": [True] * 7}
    config = code.TinyOpenVLAConfig(
        norm_stats={"bridge_orig": {"action": BRIDGE_STATS}, "fractal": {"action": other}}
    )
    torch.manual_seed(0)
    code.TinyOpenVLAForActionPrediction(config).save_pretrained(directory)
    words = [
        "in",
        ":",
        "what",
        "action",
        "should",
        "the",
        "robot",
        "take",
        "to",
        "pick",
        "up",
        "put",
        "stack",
        "red",
        "blue",
        "cube",
        "bowl",
        "?",
        "out",
        "warm",
    ]
    vocab = {w: i for i, w in enumerate(["<pad>", "<unk>", *words])}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", unk_token="<unk>"
    )
    image_processor = CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
    )
    code.TinyOpenVLAProcessor(
        image_processor=image_processor, tokenizer=tokenizer
    ).save_pretrained(directory)
    card = {
        "name": "tiny_openvla",
        "robot": "widowx",
        "unnorm_key": "bridge_orig",
        "action": {
            "space": "ee_delta",
            "dim": 7,
            "targets": ["arm0.ee", "arm0.gripper"],
            "normalization": "model",
            "gripper": {"closed": 0.0, "open": 1.0, "binary": True},
        },
        "cameras": [{"key": "image", "source": "over_shoulder", "size": [224, 224]}],
        "control_rate": 5.0,
    }
    (directory / "vla_ros_card.yaml").write_text(yaml.safe_dump(card))
    return directory
