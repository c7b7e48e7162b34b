#!/usr/bin/env bash
# `make train`: scripted-expert demonstrations in the embedded sim -> a flow_film policy -> its
# closed-loop success (and open-loop chunk error) on held-out seeds. Run from the repository root with scripts/env.sh sourced.
#   TRAIN_OUT       output dir (default train_out): demos_0/, demos_1/, checkpoint/, *.log
#   TRAIN_EPISODES  demonstrations tried, split over two processes (default 600; failures left out)
#   TRAIN_MINUTES   training time budget (default 100, as the shipped checkpoint)
#   TRAIN_ARGS      more `vla-ros train` flags (make's default: the shipped checkpoint's;
#                   e.g. --threads 4, --policy hidden_dim=384, --device cuda, --init CKPT)
#   EVAL_EPISODES   held-out episodes evaluated (seeds 0.., default 20)
# Demonstration seeds start at 1000, so the demo's and the evaluation's seeds (0..) are never trained on.
set -euo pipefail
out=${TRAIN_OUT:-train_out}
episodes=${TRAIN_EPISODES:-600}
half=$((episodes / 2))
mkdir -p "$out"

pids=()
for part in 0 1; do
  [ -d "$out/demos_$part" ] && continue
  python -m vla_ros.cli demos --robot panda --card flow_film_panda --episodes "$half" \
    --seed $((1000 + part * half)) --out "$out/demos_$part" 2>"$out/demos_$part.log" \
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
    --minutes "${TRAIN_MINUTES:-100}" ${TRAIN_ARGS:-} 2>"$out/train.log"
fi
# Held-out demonstrations (the evaluation's seeds) for the open-loop chunk error.
[ -d "$out/heldout" ] || python -m vla_ros.cli demos --robot panda --card flow_film_panda \
  --episodes 20 --seed 0 --out "$out/heldout" 2>"$out/heldout.log" | tail -n 1
python -m vla_ros.cli evaluate --checkpoint "$out/checkpoint" --episodes "${EVAL_EPISODES:-20}" \
  --open-loop "$out/heldout" 2>"$out/evaluate.log"
