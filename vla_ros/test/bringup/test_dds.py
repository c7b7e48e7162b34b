"""Fast DDS profile selection (bringup/dds.py), the shipped profile, and a real talk through it."""

import glob
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
    dds_warning,
)
from vla_ros.core.types import InvalidInput
from vla_ros.resources import share_path

SHM_PROFILE = share_path("config", "dds", "fastdds_shm.xml")
UDP_PROFILE = share_path("config", "dds", "fastdds_udp.xml")
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
    with pytest.raises(InvalidInput, match=r"'cyclone' is not one of \['default', 'shm', 'udp'\]"):
        dds_environment("cyclone", {})


def test_apply_sets_the_variables_and_leaves_the_rest():
    environ = {"ROS_DOMAIN_ID": "7"}
    assert apply_dds_profile("shm", environ) == dds_environment("shm", {})
    assert environ["ROS_DOMAIN_ID"] == "7" and environ["FASTDDS_DEFAULT_PROFILES_FILE"]


def test_udp_under_localhost_discovery_is_warned_about():
    """rmw_fastrtps adds its own SHM transport under LOCALHOST (measured below: talk())."""
    assert "ROS_AUTOMATIC_DISCOVERY_RANGE=SUBNET" in dds_warning(
        "udp", {"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}
    )
    assert dds_warning("udp", {"ROS_AUTOMATIC_DISCOVERY_RANGE": "SUBNET"}) is None
    assert dds_warning("shm", {"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}) is None


def transports_used(profile: Path) -> list[ET.Element]:
    """The transport descriptors the default participant of a profile file uses (builtin off)."""
    profiles = ET.parse(profile).getroot().find("f:profiles", NS)
    transports = {
        t.findtext("f:transport_id", namespaces=NS): t
        for t in profiles.findall("f:transport_descriptors/f:transport_descriptor", NS)
    }
    participant = profiles.find("f:participant[@is_default_profile='true']", NS)
    assert participant.findtext("f:rtps/f:useBuiltinTransports", namespaces=NS) == "false"
    return [
        transports[t.text]
        for t in participant.findall("f:rtps/f:userTransports/f:transport_id", NS)
    ]


def test_shipped_profiles_are_the_files_named():
    assert set(DDS_PROFILES.values()) - {None} == {SHM_PROFILE.name, UDP_PROFILE.name}
    assert UDP_PROFILE.is_file()
    assert dds_environment("udp", {}) == {"FASTDDS_DEFAULT_PROFILES_FILE": str(UDP_PROFILE)}


def test_shm_profile_uses_only_a_large_shm_segment_and_udp():
    used = transports_used(SHM_PROFILE)
    assert sorted(t.findtext("f:type", namespaces=NS) for t in used) == ["SHM", "UDPv4"]
    shm = next(t for t in used if t.findtext("f:type", namespaces=NS) == "SHM")
    assert int(shm.findtext("f:segment_size", namespaces=NS)) >= 3 * 1280 * 720 * 4


def test_udp_profile_uses_udp_only():
    assert [t.findtext("f:type", namespaces=NS) for t in transports_used(UDP_PROFILE)] == ["UDPv4"]


def talk(profile: str, size: str, **variables: str) -> tuple[str, set[str]]:
    """One image from a publisher process to a receiver process under `profile`: the receiver's and
    the publisher's output, and the Fast DDS files that appeared in /dev/shm meanwhile."""
    env = {**os.environ, **variables, **dds_environment(profile, {})}
    talk = [sys.executable, str(Path(__file__).with_name("image_talk.py"))]
    run = {"env": env, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    before = set(glob.glob("/dev/shm/*fastdds*"))
    with subprocess.Popen([*talk, "publish", "30", size], **run) as publisher:
        try:
            receiver = subprocess.run([*talk, "receive", "25", size], timeout=60, **run)
            appeared = set(glob.glob("/dev/shm/*fastdds*")) - before
        finally:
            publisher.send_signal(signal.SIGINT)
        published = publisher.communicate(timeout=30)[0]
    output = receiver.stdout + published
    assert receiver.returncode == 0, output
    # Fast DDS prints XMLPARSER errors for a profile it rejects (and falls back): none may appear.
    assert not re.search(r"XMLPARSER|Error\]", output), output
    return receiver.stdout, appeared


@pytest.mark.ros
def test_two_processes_exchange_a_1280x720_bgra8_image_through_the_shm_profile():
    received, appeared = talk("shm", "1280x720")
    assert "received 1280x720 bgra8 3686400 bytes" in received
    assert appeared  # the control for the udp test below: shared memory is seen when used


@pytest.mark.ros
def test_the_udp_profile_talks_without_shared_memory(domain_of_its_own):
    """The udp profile's promise: no /dev/shm port or segment a dying process could leave locked.
    (What it does not show: that Fast DDS#1144 cannot happen otherwise; only that SHM is not used.)"""
    received, appeared = talk("udp", "224x224", ROS_AUTOMATIC_DISCOVERY_RANGE="SUBNET")
    assert "received 224x224 bgra8 200704 bytes" in received
    assert not appeared, appeared
