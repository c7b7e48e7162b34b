"""Training the suite's own policies from its LeRobot datasets (`vla-ros train`, `vla-ros evaluate`).

frames: a dataset's frames decoded once into memory; chunks: the training samples (observation +
the demonstrated chunk that follows it); trainer: the loop, snapshots and loss curve; evaluation:
closed-loop rollouts of a checkpoint in the embedded sim through the `lerobot` backend.
"""
