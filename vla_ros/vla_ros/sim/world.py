"""The simulated robot and its table: physics stepping, trajectory controllers, reset, state, images.

A ros2_control look-alike: each controller of the robot config follows JointTrajectory messages
with TrajectoryFollower, and the followers' set points (position + velocity feed-forward) drive
the joint servos at every physics step. No rclpy here; nodes/sim.py wraps this for ROS.
"""

from __future__ import annotations

import mujoco
import numpy as np

from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import InvalidInput, JointState
from vla_ros.sim.placement import sample_layout
from vla_ros.sim.scene import Scene, build_scene
from vla_ros.sim.trajectory_follower import JointTrajectory, TrajectoryFollower


class SimWorld:
    def __init__(self, robot: RobotConfig, scene: Scene | None = None) -> None:
        self.robot = robot
        self.scene = scene or build_scene(robot)
        self.model = self.scene.model
        self.data = mujoco.MjData(self.model)
        self._command_joints = robot.command_joints
        self._controllers = self._make_controllers()
        servos = self.scene.servos
        self._servo_actuators = np.array([s.actuator for s in servos])
        self._servo_index = np.array([s.command_index for s in servos])
        self._servo_multiplier = np.array([s.multiplier for s in servos])
        self._servo_offset = np.array([s.offset for s in servos])
        self._servo_kv_over_kp = (
            self.model.actuator_biasprm[self._servo_actuators, 2]
            / self.model.actuator_biasprm[self._servo_actuators, 1]
        )
        joints = [self.model.joint(n) for n in self.scene.robot_joints]
        self._robot_qpos = np.array([self.model.jnt_qposadr[j.id] for j in joints])
        self._robot_qvel = np.array([self.model.jnt_dofadr[j.id] for j in joints])
        name_to_slot = {n: i for i, n in enumerate(self.scene.robot_joints)}
        self._command_slots = np.array([name_to_slot[n] for n in self._command_joints])
        self._renderers: dict[tuple[int, int], mujoco.Renderer] = {}
        self.reset(seed=0)

    @property
    def time(self) -> float:
        return float(self.data.time)

    @property
    def controller_names(self) -> tuple[str, ...]:
        return tuple(self._controllers)

    # -- episode ---------------------------------------------------------------------------------
    def reset(self, seed: int, placed_first: tuple[str, ...] = ()) -> None:
        """Robot at home, objects at a seeded random layout (`placed_first` get the first picks).

        Sim time keeps running across resets: it is the clock of every node in the graph.
        """
        now = self.time
        mujoco.mj_resetData(self.model, self.data)
        self.data.time = now
        home = self.robot.home
        self._set_command_positions(home)
        layout = sample_layout(
            self.scene.config, self.scene.cube_names, np.random.default_rng(seed), placed_first
        )
        self.model.body("bowl").pos[:2] = layout["bowl"][:2]
        for name in self.scene.cube_names:
            x, y, yaw = layout[name]
            adr = self.model.jnt_qposadr[self.model.joint(name).id]
            z = self.scene.config.table_height + self.scene.config.cube_size / 2
            self.data.qpos[adr : adr + 7] = [x, y, z, np.cos(yaw / 2), 0.0, 0.0, np.sin(yaw / 2)]
        for follower, indices in self._controllers.values():
            follower.reset(home[indices], now)
        self._apply_set_points()
        mujoco.mj_forward(self.model, self.data)

    def _set_command_positions(self, q: np.ndarray) -> None:
        for servo_index, actuator in enumerate(self._servo_actuators):
            joint = self.model.actuator_trnid[actuator, 0]
            target = (
                self._servo_multiplier[servo_index] * q[self._servo_index[servo_index]]
                + self._servo_offset[servo_index]
            )
            self.data.qpos[self.model.jnt_qposadr[joint]] = target

    # -- control -----------------------------------------------------------------------------------
    def receive_trajectory(self, controller: str, trajectory: JointTrajectory) -> None:
        if controller not in self._controllers:
            raise InvalidInput(
                f"unknown controller '{controller}'; this robot has {list(self._controllers)}"
            )
        self._controllers[controller][0].receive(trajectory, now=self.time)

    def step(self, steps: int = 1) -> None:
        for _ in range(steps):
            self._apply_set_points()
            mujoco.mj_step(self.model, self.data)

    def _set_points(self) -> tuple[np.ndarray, np.ndarray]:
        """The controllers' desired positions and velocities now, in command-joint order."""
        q = np.empty(len(self._command_joints))
        qd = np.empty_like(q)
        for follower, indices in self._controllers.values():
            q[indices], qd[indices] = follower.sample(self.time)
        return q, qd

    def _apply_set_points(self) -> None:
        q, qd = self._set_points()
        # Position servo with velocity feed-forward: kp (q* - q) + kv (qd* - qd) as ctrl = q* + kv/kp qd*.
        target = self._servo_multiplier * q[self._servo_index] + self._servo_offset
        velocity = self._servo_multiplier * qd[self._servo_index]
        self.data.ctrl[self._servo_actuators] = target + self._servo_kv_over_kp * velocity

    def _make_controllers(self) -> dict[str, tuple[TrajectoryFollower, np.ndarray]]:
        index = {n: i for i, n in enumerate(self._command_joints)}
        controllers = {}
        for (
            controller
        ) in self.robot.controllers:  # the config guarantees they cover the command joints
            indices = np.array([index[j] for j in controller.joints])
            controllers[controller.name] = (
                TrajectoryFollower(controller.joints, self.robot.home[indices]),
                indices,
            )
        return controllers

    # -- state -------------------------------------------------------------------------------------
    def joint_state(self) -> JointState:
        """Every robot joint (mimic fingers included), as a robot's /joint_states reports them."""
        return JointState(
            self.scene.robot_joints,
            self.data.qpos[self._robot_qpos].copy(),
            self.data.qvel[self._robot_qvel].copy(),
        )

    def command_positions(self) -> np.ndarray:
        """Measured positions in RobotConfig.command_joints order."""
        return self.data.qpos[self._robot_qpos[self._command_slots]].copy()

    def command_set_points(self) -> JointState:
        """What the trajectory controllers command now, in command-joint order: in the sim without
        ROS this is the robot's command stream (what /vla/safe_joint_command carries in the graph)."""
        return JointState(self._command_joints, self._set_points()[0])

    def object_poses(self) -> dict[str, np.ndarray]:
        """name -> [x, y, z, qw, qx, qy, qz] in the world frame, for every cube and the bowl."""
        poses = {
            name: np.concatenate([self.data.body(name).xpos, self.data.body(name).xquat])
            for name in self.scene.cube_names
        }
        poses["bowl"] = np.concatenate([self.data.body("bowl").xpos, self.data.body("bowl").xquat])
        return poses

    # -- images ------------------------------------------------------------------------------------
    def render(self, camera: str, width: int, height: int) -> np.ndarray:
        """RGB uint8 (height, width, 3) from a model camera; shadows and reflections off for speed."""
        if mujoco.mj_name2id(self.model, mujoco.mjtObj.mjOBJ_CAMERA, camera) < 0:
            raise InvalidInput(
                f"unknown camera '{camera}'; cameras: {[c.name for c in self.robot.cameras]}"
            )
        renderer = self._renderers.get((width, height))
        if renderer is None:
            self.model.vis.global_.offwidth = max(self.model.vis.global_.offwidth, width)
            self.model.vis.global_.offheight = max(self.model.vis.global_.offheight, height)
            renderer = self._renderers[(width, height)] = mujoco.Renderer(
                self.model, height, width
            )
            renderer.scene.flags[mujoco.mjtRndFlag.mjRND_SHADOW] = False
            renderer.scene.flags[mujoco.mjtRndFlag.mjRND_REFLECTION] = False
        option = mujoco.MjvOption()
        # URDF collision geoms (group 0) duplicate the visual ones (group 1): draw the visuals only.
        option.geomgroup[0] = not np.any(self.model.geom_group == 1)
        renderer.update_scene(self.data, camera, option)
        return renderer.render()

    def close(self) -> None:
        for renderer in self._renderers.values():
            renderer.close()
        self._renderers.clear()
