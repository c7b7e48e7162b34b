"""Point the ROS 2 wheels' CMake exports at this interpreter's include dirs.

The PyPI ROS 2 wheels are built in manylinux containers, and their exported CMake targets name
that container's Python and NumPy include directories (/opt/python/cp311-cp311/...). CMake refuses
imported targets with non-existent include paths, so building any interface package against the
wheels fails until those paths are rewritten to the ones of the interpreter running this script.
Idempotent: a second run finds nothing to rewrite.
"""

from __future__ import annotations

import re
import sys
import sysconfig
from pathlib import Path

import numpy

BUILD_CONTAINER_PREFIX = re.compile(r"/opt/python/cp3\d+-cp3\d+")


def real_paths() -> dict[str, str]:
    python_include = sysconfig.get_paths()["include"]
    numpy_include = numpy.get_include()
    return {
        "include/python": python_include,
        "numpy/_core/include": numpy_include,
        "numpy/core/include": numpy_include,
    }


def rewrite(text: str, replacements: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        path = match.group(0)
        for marker, real in replacements.items():
            if marker in path:
                return real
        return path

    pattern = re.compile(BUILD_CONTAINER_PREFIX.pattern + r"[^\s;\"')]*")
    return pattern.sub(replace, text)


def main(prefix: str) -> int:
    replacements = real_paths()
    changed = 0
    for cmake_file in Path(prefix, "share").rglob("*.cmake"):
        text = cmake_file.read_text(errors="surrogateescape")
        if "/opt/python/cp3" not in text:
            continue
        new_text = rewrite(text, replacements)
        if new_text != text:
            cmake_file.write_text(new_text, errors="surrogateescape")
            changed += 1
    print(f"fix_wheel_cmake_paths: rewrote {changed} CMake file(s) under {prefix}/share")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else sys.prefix))
