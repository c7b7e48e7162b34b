#!/usr/bin/env bash
# `make train`: scripted-expert demonstrations in the embedded sim -> a flow_film policy -> its
# closed-loop success (and open-loop chunk error) on held-out seeds. Run by `make train`, which sets
# (defaults and their reasons in the Makefile, the one place they are written):
#   TRAIN_OUT       output dir: demos_0/, demos_1/, checkpoint/, *.log
#   TRAIN_EPISODES  demonstrations tried, split over two processes (failures left out)
#   TRAIN_PUSH_RATE pushes per second off the expert's path (vla-ros demos --push-rate; 0: none)
#   TRAIN_MINUTES   training time budget
#   TRAIN_ARGS      more `vla-ros train` flags (e.g. --threads 4, --policy hidden_dim=384,
#                   --device cuda, --init CKPT)
#   EVAL_EPISODES   held-out episodes evaluated (seeds 0..)
# Demonstration seeds start at 1000, so the demo's and the evaluation's seeds (0..) are never trained on.
# Frames are stored as PNG (--image-format png): what camera_ingest delivers live, bit for bit.
set -euo pipefail
for name in TRAIN_OUT TRAIN_EPISODES TRAIN_PUSH_RATE TRAIN_MINUTES TRAIN_ARGS EVAL_EPISODES; do
  [ -n "${!name+set}" ] || { echo "scripts/train.sh: $name is not set: run it through make train" >&2; exit 2; }
done
out=$TRAIN_OUT
episodes=$TRAIN_EPISODES
half=$((episodes / 2))
mkdir -p "$out"

pids=()
for part in 0 1; do
  [ -d "$out/demos_$part" ] && continue
  python -m vla_ros.cli demos --robot panda --card flow_film_panda --episodes "$half" \
    --seed $((1000 + part * half)) --out "$out/demos_$part" --image-format png \
    --push-rate "$TRAIN_PUSH_RATE" \
    2>"$out/demos_$part.log" \
    | grep --line-buffered '^\[' &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done  # judged by the dataset dirs below
for part in 0 1; do
  [ -d "$out/demos_$part" ] || { echo "[make train] demos_$part failed:"; tail -5 "$out/demos_$part.log"; exit 1; }
done

if [ ! -d "$out/checkpoint" ]; then
  # shellcheck disable=SC2086  # TRAIN_ARGS is a list of flags
  python -m vla_ros.cli train --data "$out/demos_0" "$out/demos_1" --out "$out/checkpoint" \
    --minutes "$TRAIN_MINUTES" $TRAIN_ARGS 2>"$out/train.log"
fi
# Held-out demonstrations (the evaluation's seeds) for the open-loop chunk error.
[ -d "$out/heldout" ] || python -m vla_ros.cli demos --robot panda --card flow_film_panda \
  --episodes 20 --seed 0 --out "$out/heldout" --image-format png 2>"$out/heldout.log" | tail -n 1
python -m vla_ros.cli evaluate --checkpoint "$out/checkpoint" --episodes "$EVAL_EPISODES" \
  --open-loop "$out/heldout" 2>"$out/evaluate.log"
