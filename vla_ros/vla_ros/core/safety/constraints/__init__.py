"""One safety constraint per file, each contributing rows to the projector's QP (and, where its rows
are linearizations, an exact check along a path).
"""
