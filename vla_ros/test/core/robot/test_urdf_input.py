"""A URDF is untrusted input: every malformed or implausible description is refused by name.

And an accepted robot_description never widens the shipped robot's limits (the envelope): each
value it would widen stays at the configured one and is reported.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.robot.urdf import bounds, parse_urdf
from vla_ros.core.types import InvalidInput

PANDA = load_robot_config("panda")
XML = PANDA.urdf_xml()
JOINT1 = XML[
    XML.index('<joint name="panda_joint1"') : XML.index(
        "</joint>", XML.index('<joint name="panda_joint1"')
    )
    + len("</joint>")
]


def _edit(old: str, new: str, count: int = 1) -> str:
    assert old in XML, old
    return XML.replace(old, new, count)


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><robot name="&b;"/>'
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><robot name="&x;"/>'
CASES = [
    ("", "the description is empty"),
    ("<robot", r"XML syntax error, unclosed token: line 1, column 0"),
    (
        XML.replace('<link name="panda_link3">', '<link name="panda_link3"', 1),
        r"XML syntax error, .*: line \d+, column \d+",
    ),
    (BOMB, "declares a DTD or entities"),
    (EXTERNAL, "declares a DTD or entities"),
    (
        XML.replace("</robot>", "<!--" + "x" * bounds.MAX_URDF_BYTES + "--></robot>"),
        r"more than the 10485760 accepted",
    ),
    ("<sdf version='1.9'/>", r"the root element is <sdf>, expected <robot>"),
    (
        _edit(
            '<cylinder radius="0.06" length="0.14"/></geometry>\n    </collision>',
            '<cylinder radius="0.06"/></geometry>\n    </collision>',
        ),
        r"link 'panda_link0' <collision> 0 <cylinder> lacks the attribute 'length'",
    ),
    (
        _edit('velocity="2.175"', 'velocity="1e9"'),
        r"joint 'panda_joint1' <limit> velocity = 1000000000.0 must be >= 0 and <= the plausible 20 rad/s",
    ),
    (
        _edit('velocity="2.175"', 'velocity="-1"'),
        r"joint 'panda_joint1' <limit> velocity = -1.0 must be >= 0",
    ),
    (
        _edit('lower="-2.8973"', 'lower="-1e6"'),
        r"joint 'panda_joint1' <limit> lower = -1000000.0 is outside the plausible \+-12.5664 rad",
    ),
    (
        _edit('upper="0.04"', 'upper="1000"'),
        r"joint 'panda_finger_joint1' <limit> upper = 1000.0 is outside the plausible \+-5 m",
    ),
    (
        _edit(
            '<cylinder radius="0.06" length="0.14"/></geometry>\n    </collision>',
            '<cylinder radius="-0.06" length="0.14"/></geometry>\n    </collision>',
        ),
        r"<collision> 0 <cylinder> radius = -0.06 must be > 0 and <= 3 m",
    ),
    (_edit('velocity="2.175"', 'velocity="nan"'), r"velocity='nan' must be 1 decimal number\(s\)"),
    (_edit('velocity="2.175"', 'velocity="1e999"'), r"velocity='1e999' must be finite"),
    (_edit('velocity="2.175"', 'velocity="fast"'), r"velocity='fast' must be 1 decimal number"),
    (
        _edit('<origin xyz="0 0 0.333" rpy="0 0 0"/>', '<origin xyz="0 0 1e5" rpy="0 0 0"/>'),
        r"joint 'panda_joint1' <origin> z = 100000.0 is outside the plausible \+-10 m",
    ),
    (
        _edit('<axis xyz="0 0 1"/>', '<axis xyz="0 0 0"/>'),
        r"joint 'panda_joint1' <axis xyz=...> must be a nonzero vector",
    ),
    (
        _edit(
            '<joint name="panda_joint1" type="revolute">',
            '<joint name="panda_joint1" type="spherical">',
        ),
        r"joint 'panda_joint1' type='spherical' must be one of",
    ),
    (XML.replace("</robot>", JOINT1 + "</robot>"), r"two joints are named 'panda_joint1'"),
    (
        XML.replace(JOINT1, ""),
        r"exactly one root link .* this one has \['panda_link0', 'panda_link1'\]",
    ),
    (
        _edit('<parent link="panda_link0"/>', '<parent link="panda_link2"/>'),
        r"links \[.*'panda_link1'.*\] are not connected to the root link 'panda_link0' \(their joints form a loop\)",
    ),
    (
        _edit('<parent link="panda_link0"/>', '<parent link="nowhere"/>'),
        r"joint 'panda_joint1' <parent link=...> must name one of the URDF's links, got 'nowhere'",
    ),
    (
        _edit('<mimic joint="panda_finger_joint1"', '<mimic joint="panda_finger_joint9"'),
        r"<mimic joint='panda_finger_joint9'> must name another joint",
    ),
    (
        _edit(
            '<mimic joint="panda_finger_joint1" multiplier="1"',
            '<mimic joint="panda_finger_joint1" multiplier="1e3"',
        ),
        r"<mimic> multiplier = 1000.0 is outside the plausible \+-10",
    ),
    (
        _edit(
            '<child link="panda_link1"/>',
            '<child link="panda_link1"/><mimic joint="panda_finger_joint2"/>',
        ),
        r"'panda_finger_joint2' itself mimics 'panda_finger_joint1'; mimic chains are not supported",
    ),
    (
        _edit(
            '<geometry><cylinder radius="0.06" length="0.14"/></geometry>\n    </collision>',
            '<geometry><cone radius="0.06"/></geometry>\n    </collision>',
        ),
        r"<collision> 0 <geometry> must hold exactly one of \['box', 'cylinder', 'capsule', "
        r"'sphere', 'mesh'\], found \['cone'\]",
    ),
    (
        _edit(
            '<geometry><cylinder radius="0.06" length="0.14"/></geometry>\n    </collision>',
            '<geometry><mesh filename="m.stl" scale="0 1 1"/></geometry>\n    </collision>',
        ),
        r"<mesh> scale=\(0.0, 1.0, 1.0\) must be > 0 on every axis",
    ),
    (
        "<robot name='r'>"
        + "".join(f"<link name='l{k}'/>" for k in range(bounds.MAX_LINKS + 1))
        + "</robot>",
        r"257 links, more than the plausible 256",
    ),
]


@pytest.mark.parametrize("text, message", CASES, ids=[f"case{k}" for k in range(len(CASES))])
def test_bad_descriptions_are_refused_by_name(text, message) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        parse_urdf(text)
    assert str(refused.value).startswith("not a valid URDF: ")
    with pytest.raises(InvalidInput, match=message):
        PANDA.with_urdf(text)


def test_a_description_without_the_ee_frame_is_refused() -> None:
    renamed = XML.replace('"panda_hand_tcp"', '"tool0"')
    with pytest.raises(
        InvalidInput, match=r"arm 'arm' ee_frame 'panda_hand_tcp' is not a link of the URDF"
    ):
        PANDA.with_urdf(renamed)


def test_ros2_control_and_transmission_blocks_are_not_urdf_joints() -> None:
    """A real robot_description (franka_ros2) carries <ros2_control> joints without parent or child."""
    description = XML.replace(
        "</robot>",
        '<ros2_control name="FrankaHardwareInterface" type="system"><hardware><plugin>franka/x</plugin></hardware>'
        '<joint name="panda_joint1"><command_interface name="position"/><state_interface name="position"/></joint>'
        "</ros2_control>"
        '<transmission name="t1"><joint '
        'name="panda_joint1"><hardwareInterface>x</hardwareInterface></joint></transmission>'
        "</robot>",
    )
    robot = PANDA.with_urdf(description)
    assert robot.command_joints == PANDA.command_joints
    Kinematics.from_robot(robot)


def test_a_description_tightens_but_never_widens_the_configured_limits() -> None:
    wide = _edit('velocity="2.175"', 'velocity="3.0"')
    wide = wide.replace('lower="-2.8973" upper="2.8973"', 'lower="-3.5" upper="2.0"', 1)
    robot = PANDA.with_urdf(wide)
    assert (
        robot.limits.velocity[0] == 2.175
        and robot.limits.lower[0] == -2.8973
        and robot.limits.upper[0] == 2.0
    )
    assert len(robot.limit_warnings) == 2
    assert re.search(
        r"joint 'panda_joint1' velocity limit 3 would widen the configured 2.175; kept 2.175",
        robot.limit_warnings[0] + robot.limit_warnings[1],
    )
    assert any(
        "joint 'panda_joint1' lower limit -3.5 would widen the configured -2.8973" in w
        for w in robot.limit_warnings
    )
    # The envelope stays the shipped one across descriptions: a later one may relax back to it, not past it.
    slow = PANDA.with_urdf(_edit('velocity="2.175"', 'velocity="0.2"'))
    assert slow.limits.velocity[0] == 0.2 and slow.limit_warnings == ()
    relaxed = slow.with_urdf(wide)
    assert relaxed.limits.velocity[0] == 2.175 and relaxed.limits.upper[0] == 2.0
    # The same at configure time (a robot_description parameter).
    configured = load_robot_config("panda", urdf_xml=wide)
    np.testing.assert_array_equal(configured.limits.velocity, relaxed.limits.velocity)
    assert configured.limit_warnings == robot.limit_warnings


def test_limits_outside_the_configured_range_are_refused() -> None:
    outside = _edit('lower="-2.8973" upper="2.8973"', 'lower="2.9" upper="3.0"')
    with pytest.raises(
        InvalidInput,
        match=r"joint 'panda_joint1' limits leave no range inside the configured ones",
    ):
        PANDA.with_urdf(outside)


def test_a_commanded_joint_that_mimics_is_refused() -> None:
    description = _edit(
        '<child link="panda_link1"/>', '<child link="panda_link1"/><mimic joint="panda_joint2"/>'
    )
    with pytest.raises(
        InvalidInput,
        match=r"joint 'panda_joint1' is commanded but mimics 'panda_joint2' in the URDF",
    ):
        Kinematics.from_robot(PANDA.with_urdf(description))
