"""flow_film: per-camera conv nets FiLM-conditioned on a frozen MiniLM instruction embedding, and a
flow-matching action-chunk head (few Euler steps) that can inpaint an executing prefix (RTC)."""
