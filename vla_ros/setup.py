"""ament_python package vla_ros: nodes, core, backends, sim, launch files, configs, URDFs."""

from glob import glob

from setuptools import find_packages, setup

PACKAGE = "vla_ros"
NODES = [
    "camera_ingest",
    "vla_policy",
    "chunk_executor",
    "safety_projector",
    "moveit_bridge",
    "sim",
    "task_server",
    "aloha_relay",
]


def data_dir(folder: str) -> list[tuple[str, list[str]]]:
    """Install every file below folder/ into share/vla_ros/folder/, keeping sub-directories."""
    entries: dict[str, list[str]] = {}
    for path in glob(f"{folder}/**/*", recursive=True):
        if not path.endswith("/") and "." in path.rsplit("/", 1)[-1]:
            target = f"share/{PACKAGE}/" + path.rsplit("/", 1)[0]
            entries.setdefault(target, []).append(path)
    return sorted(entries.items())


setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        *data_dir("launch"),
        *data_dir("config"),
        *data_dir("urdf"),
        *data_dir("checkpoints"),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="vla_ros maintainers",
    maintainer_email="maintainers@vla-ros.org",
    description="Vision-Language-Action policies on real robots over ROS 2.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "vla-ros = vla_ros.cli:main",
            *[f"{node} = vla_ros.nodes.entry:{node}" for node in NODES],
        ],
    },
)
