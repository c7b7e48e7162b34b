"""Robots as data: robot configs (YAML), their URDFs parsed as untrusted input, and kinematics on Pinocchio."""
