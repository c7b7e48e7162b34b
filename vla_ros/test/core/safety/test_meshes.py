"""Mesh collision geometry: capsules fitted to the vertices, never under the exact distances.

Vendor URDFs (franka_description, interbotix) give links as meshes. Each mesh becomes a capsule
that holds every vertex (and an oriented box whose corners bound its lowest point), so what the
projector reports is never more than coal's exact distance (coal: hpp-fcl, shipped with the pin
wheels) between the meshes, or between a mesh and the table.
"""

from __future__ import annotations

import coal
import numpy as np
import pinocchio as pin
import pytest
import trimesh
from hypothesis import given, settings
from hypothesis import strategies as st
from mesh_robot import PACKAGE, mesh_urdf

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.robot.urdf import Geometry
from vla_ros.core.robot.urdf.meshes import mesh_vertices
from vla_ros.core.safety import SafetyProjector
from vla_ros.core.safety.mesh_capsule import fit_capsule
from vla_ros.core.types import InvalidInput

TOL = 1e-9


def _segment_distances(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    axis = b - a
    t = np.clip((points - a) @ axis / max(axis @ axis, 1e-300), 0.0, 1.0)
    return np.linalg.norm(points - (a + t[:, None] * axis), axis=1)


def _assert_contains(vertices: np.ndarray) -> None:
    a, b, radius, corners = fit_capsule(vertices)
    distance = _segment_distances(vertices, a, b)
    assert distance.max() <= radius + TOL, (distance.max(), radius)
    assert distance.max() >= radius - TOL, "the radius is the farthest vertex, not more"
    # The box corners bound the mesh's extreme point in any direction (the table's normal, however
    # the link is turned): min over corners of d.c <= min over vertices of d.v.
    directions = np.vstack([np.eye(3), -np.eye(3), np.random.default_rng(1).normal(size=(40, 3))])
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    assert np.all(
        (corners @ directions.T).min(axis=0) <= (vertices @ directions.T).min(axis=0) + TOL
    )


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.lists(st.tuples(*[st.floats(-1.0, 1.0)] * 3), min_size=1, max_size=60),
    st.tuples(*[st.floats(1e-3, 2.0)] * 3),
    st.tuples(*[st.floats(-np.pi, np.pi)] * 3),
)
def test_fitted_capsule_and_box_contain_every_vertex(points, stretch, rpy) -> None:
    vertices = np.array(points) * np.array(stretch) @ pin.rpy.rpyToMatrix(*rpy).T + 0.3
    _assert_contains(vertices)


@pytest.mark.parametrize(
    "vertices",
    [
        np.array([[0.1, 0.2, 0.3]]),  # one point: a sphere of radius 0
        np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),  # collinear
        np.column_stack([np.linspace(0, 1, 9), 2 * np.linspace(0, 1, 9), np.zeros(9)]),
        np.random.default_rng(0).uniform(-1, 1, (200, 3)) * [1, 1, 0],  # flat
        trimesh.creation.icosphere(
            subdivisions=2, radius=0.1
        ).vertices,  # round: the caps' ends cross
        trimesh.creation.cylinder(radius=0.05, height=0.4, sections=32).vertices,
    ],
    ids=["point", "pair", "collinear", "flat", "sphere", "cylinder"],
)
def test_degenerate_meshes_are_contained(vertices) -> None:
    _assert_contains(vertices)


def test_cylinder_mesh_gets_the_cylinder_radius() -> None:
    """Tight: a cylinder mesh's capsule has its radius, and caps that just reach its rims."""
    vertices = trimesh.creation.cylinder(radius=0.05, height=0.4, sections=64).vertices
    a, b, radius, _ = fit_capsule(vertices)
    assert radius == pytest.approx(0.05, abs=1e-9)
    assert np.linalg.norm(b - a) == pytest.approx(0.4, abs=1e-9)


def test_mesh_uris_resolve_the_ros_way(tmp_path, monkeypatch) -> None:
    box = trimesh.creation.box(extents=(0.1, 0.2, 0.3))
    share = tmp_path / "prefix" / "share" / PACKAGE / "meshes"
    share.mkdir(parents=True)
    box.export(share / "box.stl")
    box.export(share / "box.obj")
    box.export(share / "box.dae")
    ros1 = tmp_path / "ros1" / "other_description"
    ros1.mkdir(parents=True)
    box.export(ros1 / "box.ply")
    monkeypatch.setenv("AMENT_PREFIX_PATH", str(tmp_path / "prefix"))
    monkeypatch.setenv("ROS_PACKAGE_PATH", str(tmp_path / "ros1"))
    expected = {tuple(v) for v in np.round(box.vertices * [2.0, 1.0, 0.5], 6)}
    for uri in [
        f"package://{PACKAGE}/meshes/box.stl",
        f"package://{PACKAGE}/meshes/box.obj",
        f"package://{PACKAGE}/meshes/box.dae",
        "package://other_description/box.ply",
        f"file://{share}/box.stl",
        str(share / "box.stl"),
        f"prefix/share/{PACKAGE}/meshes/box.stl",  # relative to the URDF's directory
    ]:
        vertices = mesh_vertices(
            Geometry("mesh", uri=uri, scale=(2.0, 1.0, 0.5)), tmp_path, "link 'l' <collision> 0"
        )
        assert {tuple(v) for v in np.round(vertices, 6)} == expected, uri


@pytest.mark.parametrize(
    "uri, content, scale, message",
    [
        (
            "package://no_such_package/m.stl",
            None,
            1.0,
            r"link 'l' <collision> 0 mesh 'package://no_such_package/m.stl': no such file",
        ),
        ("missing.stl", None, 1.0, r"mesh 'missing.stl': no such file"),
        (
            "garbage.stl",
            b"solid x\nfacet normal nonsense\n",
            1.0,
            r"mesh 'garbage.stl': (cannot be loaded|0 vertices)",
        ),
        ("empty.obj", b"# nothing\n", 1.0, r"mesh 'empty.obj': 0 vertices"),
        (
            "huge.stl",
            "box",
            100.0,
            r"mesh 'huge.stl': extends 10 m along x, more than the plausible 3 m",
        ),
        ("/dev/zero", None, 1.0, r"mesh '/dev/zero': no such file"),
    ],
)
def test_unusable_meshes_are_refused_naming_link_and_uri(
    tmp_path, uri, content, scale, message
) -> None:
    if content == "box":
        trimesh.creation.box(extents=(0.1, 0.1, 0.1)).export(tmp_path / uri)
    elif content is not None:
        (tmp_path / uri).write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        mesh_vertices(
            Geometry("mesh", uri=uri, scale=(scale,) * 3), tmp_path, "link 'l' <collision> 0"
        )


def test_a_description_with_a_missing_mesh_is_refused_whole() -> None:
    panda = load_robot_config("panda")
    description = panda.urdf_xml().replace(
        '<geometry><cylinder radius="0.06" length="0.14"/></geometry>\n    </collision>',
        "<geometry><mesh "
        'filename="package://franka_description/meshes/collision/link0.stl"/></geometry>\n    </collision>',
        1,
    )
    assert description != panda.urdf_xml()
    projector = SafetyProjector(panda, 0.01)
    with pytest.raises(
        InvalidInput,
        match=r"link 'panda_link0' <collision> 0 mesh 'package://franka_description/.*link0.stl': no such file",
    ):
        projector.for_robot(panda.with_urdf(description))


def _bvh(mesh: trimesh.Trimesh) -> coal.BVHModelOBBRSS:
    model = coal.BVHModelOBBRSS()
    model.beginModel(len(mesh.faces), len(mesh.vertices))
    model.addVertices(np.asarray(mesh.vertices, dtype=float))
    model.addTriangles(np.asarray(mesh.faces, dtype=np.int64))
    model.endModel()
    return model


def _exact_distance(first, first_pose: pin.SE3, second, second_pose: pin.SE3) -> float:
    result = coal.DistanceResult()
    return coal.distance(
        first,
        coal.Transform3s(first_pose.rotation, first_pose.translation),
        second,
        coal.Transform3s(second_pose.rotation, second_pose.translation),
        coal.DistanceRequest(),
        result,
    )


@pytest.mark.parametrize("robot_name", ["panda", "widowx", "aloha"])
def test_reported_clearances_never_exceed_the_exact_mesh_distances(
    robot_name, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("AMENT_PREFIX_PATH", str(tmp_path))
    shipped = load_robot_config(robot_name)
    description, meshes = mesh_urdf(
        shipped.urdf_xml(), tmp_path, shipped.urdf_file.parent, np.random.default_rng(5)
    )
    robot = shipped.with_urdf(description)
    projector = SafetyProjector(robot, 0.01)
    model = projector.model
    by_name = {c.name: c for c in projector.constraints}
    self_distance, table = by_name["self_distance"], by_name["table_distance"]
    config = projector.config
    assert [c.link for c in model.capsules] == list(meshes), "one capsule per mesh link"
    bvh = {link: _bvh(mesh) for link, mesh in meshes.items()}
    # Link poses from Pinocchio's full model, every joint set explicitly (mimics by their tags).
    full = pin.buildModelFromXML(description)
    data = full.createData()
    mimics = robot.mimics
    rng = np.random.default_rng(11)
    checked_pairs = checked_table = 0
    for q in rng.uniform(robot.limits.lower, robot.limits.upper, (120, len(robot.command_joints))):
        q_full = pin.neutral(full)
        for column, joint in enumerate(robot.command_joints):
            q_full[full.joints[full.getJointId(joint)].idx_q] = q[column]
        for joint, mimic in mimics.items():
            leader = q[robot.command_joints.index(mimic.joint)]
            q_full[full.joints[full.getJointId(joint)].idx_q] = (
                mimic.multiplier * leader + mimic.offset
            )
        pin.framesForwardKinematics(full, data, q_full)
        pose = {link: data.oMf[full.getFrameId(link)] for link in meshes}
        placements = model.placements(q)
        reported = self_distance.clearances(placements) + config.min_self_distance
        for (i, j), distance in zip(self_distance.pairs, reported):
            first, second = model.capsules[i].link, model.capsules[j].link
            exact = _exact_distance(bvh[first], pose[first], bvh[second], pose[second])
            assert distance <= exact + TOL, (first, second, distance, exact, q)
            checked_pairs += 1
        gaps = table.clearances(placements) + config.min_table_distance
        plane = coal.Halfspace(np.array([0.0, 0.0, 1.0]), config.table_height)
        for k, gap in zip(table.capsules, gaps):
            link = model.capsules[k].link
            lowest = (meshes[link].vertices @ pose[link].rotation.T + pose[link].translation)[
                :, 2
            ].min()
            exact = _exact_distance(bvh[link], pose[link], plane, pin.SE3.Identity())
            assert gap <= lowest - config.table_height + TOL, (link, gap, lowest, q)
            assert gap <= exact + TOL, (link, gap, exact, q)
            checked_table += 1
    assert checked_pairs > 1000 and checked_table > 200, (checked_pairs, checked_table)
