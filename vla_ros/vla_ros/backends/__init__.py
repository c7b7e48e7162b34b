"""Policy backends, one module each, all behind vla_ros.core.inference.policy.Policy."""
