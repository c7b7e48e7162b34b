"""aloha_relay: the ALOHA followers' joint states -> one /joint_states under aloha.yaml's names.

Each follower's xs_sdk publishes its unprefixed joints on its own topic (robot config
bringup.joint_states); the suite expects one /joint_states with the arm prefixes
(core/bridge/aloha_relay.py). Published once every follower has reported, stamped with the
newest follower stamp. Commands go the other way through moveit_bridge's xs_sdk backend.
"""

from __future__ import annotations

from sensor_msgs.msg import JointState as JointStateMsg

from vla_ros.core.bridge.aloha_relay import AlohaRelay, FollowerArm
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.conversions import joint_state_from_msg, joint_state_to_msg
from vla_ros.nodes.managed import ManagedNode, run_node, stamp_to_s
from vla_ros.nodes.node_parameters import AlohaRelayParameters
from vla_ros.nodes.parameters import declare_config
from vla_ros.nodes.qos import SENSOR


class AlohaRelayNode(ManagedNode):
    def __init__(self, **kwargs) -> None:
        super().__init__("aloha_relay", **kwargs)

    def configure(self) -> None:
        robot = load_robot_config(declare_config(self, AlohaRelayParameters).robot)
        self._relay = AlohaRelay(robot)
        self._publisher = self.create_publisher(JointStateMsg, robot.joint_state_topic, SENSOR)
        for follower in self._relay.followers:
            self.create_subscription(
                JointStateMsg,
                follower.joint_state_topic,
                lambda msg, f=follower: self._on_follower(f, msg),
                SENSOR,
            )
        self._relayed = 0
        self.create_timer(1.0, self._report)

    def _on_follower(self, follower: FollowerArm, msg: JointStateMsg) -> None:
        if not self.is_active:
            return
        try:
            merged = self._relay.merged(follower, joint_state_from_msg(msg))
        except InvalidInput as error:
            self.report_bad_input(f"follower joint state on {follower.joint_state_topic}", error)
            return
        if merged is not None:
            self._publisher.publish(joint_state_to_msg(merged, stamp_to_s(msg.header.stamp)))
            self._relayed += 1

    def _report(self) -> None:
        waiting = self._relayed == 0
        self.publish_diagnostics(
            "warn" if waiting else "ok",
            "waiting for every follower's joint states" if waiting else "relaying",
            {"relayed": self._relayed},
        )


def main(args=None) -> None:
    run_node(AlohaRelayNode, args)
