"""Camera frames and joint states in: image decoding and time-consistent observations."""
