"""Which Fast DDS profile a bring-up runs with: the environment variables that select it.

Fast DDS reads its XML profile file from FASTDDS_DEFAULT_PROFILES_FILE once, when a process creates
its first participant: so the variables are set before rclpy.init, and child processes (node
processes, the recorder) inherit them. The distros on Fast DDS 2 (Humble, Jazzy) read
FASTRTPS_DEFAULT_PROFILES_FILE: set there too, not on Fast DDS 3 (Kilted), whose rmw warns in every
process that it is deprecated. `shm` (large frames on one host) and `udp` (no shared memory: node
processes that die abruptly cannot stall their peers) ship in config/dds/ (why and what: the comment
in each file); `default` leaves Fast DDS's builtin transports.
A profile file the user already chose wins over either: bring-up never overrides it.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from vla_ros.core.types import InvalidInput
from vla_ros.resources import share_path

# profile name -> its file in config/dds/ (None: Fast DDS's own defaults, no file).
DDS_PROFILES: dict[str, str | None] = {
    "default": None,
    "shm": "fastdds_shm.xml",
    "udp": "fastdds_udp.xml",
}
DEFAULT_DDS_PROFILE = "shm"
PROFILE_FILE_VARIABLES = ("FASTDDS_DEFAULT_PROFILES_FILE", "FASTRTPS_DEFAULT_PROFILES_FILE")
FAST_DDS_2_DISTROS = ("humble", "iron", "jazzy")  # ROS_DISTRO values whose rmw is on Fast DDS 2


def dds_environment(profile: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables to set for `profile` given the current environment (empty: set none)."""
    if profile not in DDS_PROFILES:
        raise InvalidInput(f"dds profile '{profile}' is not one of {list(DDS_PROFILES)}")
    file = DDS_PROFILES[profile]
    if file is None or any(environ.get(name) for name in PROFILE_FILE_VARIABLES):
        return {}
    fast_dds_2 = environ.get("ROS_DISTRO", "") in FAST_DDS_2_DISTROS
    names = PROFILE_FILE_VARIABLES if fast_dds_2 else PROFILE_FILE_VARIABLES[:1]
    return dict.fromkeys(names, str(share_path("config", "dds", file)))


def dds_warning(profile: str, environ: Mapping[str, str]) -> str | None:
    """Why `profile` will not do what it promises in this environment (None: it will)."""
    if profile == "udp" and environ.get("ROS_AUTOMATIC_DISCOVERY_RANGE") == "LOCALHOST":
        return (
            "dds profile 'udp' with ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST: rmw_fastrtps adds a "
            "shared-memory transport of its own there, so node processes still share memory; "
            "set ROS_AUTOMATIC_DISCOVERY_RANGE=SUBNET to leave it out"
        )
    return None


def apply_dds_profile(profile: str, environ: MutableMapping[str, str]) -> dict[str, str]:
    """Set `profile`'s variables in `environ` (os.environ before rclpy.init); returns them."""
    variables = dds_environment(profile, environ)
    environ.update(variables)
    return variables
