"""Tools for fault-injection tests and benchmarks (test/integration/test_faults.py, bench/faults/):
judging what reached the robot, injecting malformed traffic, running the graph under faults.
Nothing at run time imports this package."""
