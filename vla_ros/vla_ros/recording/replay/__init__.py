"""`vla-ros replay`: recorded sensor streams into the graph (sim off), its outputs into a report."""
