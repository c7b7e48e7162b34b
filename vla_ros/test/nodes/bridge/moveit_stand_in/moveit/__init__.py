"""Stand-in of MoveIt's Python package `moveit` (moveit_py), for tests where MoveIt is not installed.

It follows the documented API the bridge uses (moveit.planning.MoveItPy, PlanningComponent,
the planning scene monitor's read_only() scene with is_state_colliding, and
moveit.core.robot_state.RobotState) and records every call in `moveit.planning.WORLD`, whose
collision predicate and plan outcome a test sets. It plans nothing and checks no geometry.
"""
