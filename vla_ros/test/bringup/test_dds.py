"""Fast DDS profile selection (bringup/dds.py), the shipped profile, and a real talk through it."""

import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from vla_ros.bringup.dds import (
    DDS_PROFILES,
    PROFILE_FILE_VARIABLES,
    apply_dds_profile,
    dds_environment,
)
from vla_ros.core.types import InvalidInput
from vla_ros.resources import share_path

SHM_PROFILE = share_path("config", "dds", "fastdds_shm.xml")
NS = {"f": "http://www.eprosima.com"}


def test_shm_points_fast_dds_3_at_the_shipped_profile():
    assert dds_environment("shm", {}) == {"FASTDDS_DEFAULT_PROFILES_FILE": str(SHM_PROFILE)}
    assert SHM_PROFILE.is_file()


@pytest.mark.parametrize("distro", ["humble", "jazzy"])
def test_distros_on_fast_dds_2_also_get_the_older_variable(distro):
    variables = dds_environment("shm", {"ROS_DISTRO": distro})
    assert variables == dict.fromkeys(PROFILE_FILE_VARIABLES, str(SHM_PROFILE))


def test_default_sets_nothing():
    assert dds_environment("default", {}) == {}


@pytest.mark.parametrize("variable", PROFILE_FILE_VARIABLES)
def test_a_profile_file_the_user_set_wins(variable):
    assert dds_environment("shm", {variable: "/etc/my_fastdds.xml"}) == {}


def test_unknown_profile_is_rejected_with_the_choices():
    with pytest.raises(InvalidInput, match=r"'cyclone' is not one of \['default', 'shm'\]"):
        dds_environment("cyclone", {})


def test_apply_sets_the_variables_and_leaves_the_rest():
    environ = {"ROS_DOMAIN_ID": "7"}
    assert apply_dds_profile("shm", environ) == dds_environment("shm", {})
    assert environ["ROS_DOMAIN_ID"] == "7" and environ["FASTDDS_DEFAULT_PROFILES_FILE"]


def test_shipped_profile_uses_only_a_large_shm_segment_and_udp():
    assert set(DDS_PROFILES.values()) - {None} == {SHM_PROFILE.name}
    profiles = ET.parse(SHM_PROFILE).getroot().find("f:profiles", NS)
    transports = {
        t.findtext("f:transport_id", namespaces=NS): t
        for t in profiles.findall("f:transport_descriptors/f:transport_descriptor", NS)
    }
    participant = profiles.find("f:participant[@is_default_profile='true']", NS)
    used = [t.text for t in participant.findall("f:rtps/f:userTransports/f:transport_id", NS)]
    assert sorted(transports[t].findtext("f:type", namespaces=NS) for t in used) == [
        "SHM",
        "UDPv4",
    ]
    assert participant.findtext("f:rtps/f:useBuiltinTransports", namespaces=NS) == "false"
    shm = next(
        transports[t] for t in used if transports[t].findtext("f:type", namespaces=NS) == "SHM"
    )
    assert int(shm.findtext("f:segment_size", namespaces=NS)) >= 3 * 1280 * 720 * 4


@pytest.mark.ros
def test_two_processes_exchange_a_1280x720_bgra8_image_through_the_shm_profile():
    """Fast DDS prints XMLPARSER errors for a profile it rejects (and falls back): none may appear."""
    env = {**os.environ, **dds_environment("shm", {})}
    talk = [sys.executable, str(Path(__file__).with_name("image_talk.py"))]
    run = {"env": env, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    with subprocess.Popen([*talk, "publish", "30"], **run) as publisher:
        try:
            receiver = subprocess.run([*talk, "receive", "25"], timeout=60, **run)
        finally:
            publisher.send_signal(signal.SIGINT)
        published = publisher.communicate(timeout=30)[0]
    assert receiver.returncode == 0, receiver.stdout
    assert "received 1280x720 bgra8 3686400 bytes" in receiver.stdout
    assert not re.search(r"XMLPARSER|Error\]", receiver.stdout + published), (
        receiver.stdout + published
    )
