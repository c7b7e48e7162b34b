"""Where a checkpoint meets a robot: model cards, card targets, normalization, state encoding, image
preprocessing and action conversion (ModelIO).
"""
