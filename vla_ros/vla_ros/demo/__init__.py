"""The main job: seeded episodes in the embedded simulation, with a video, a plot and a summary."""
