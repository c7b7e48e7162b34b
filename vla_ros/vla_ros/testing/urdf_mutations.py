"""Hypothesis strategy: a robot's URDF, mutated the ways a broken or hostile robot_description is.

Elements and attributes deleted, numbers turned into NaN/inf/huge/negative/garbage, joint limits
scaled (tighter, wider, negated) or replaced the same ways, joint types
changed, links renamed (the EE frame among them), joints duplicated, parent and child swapped, the
text truncated or spliced with junk, entity bombs and external entities prepended; one to three at
a time. Mutations pick their targets by index into the tree, so every draw is a valid edit.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

from hypothesis import strategies as st

NUMBERS = [
    "nan",
    "inf",
    "-inf",
    "1e9",
    "-1e9",
    "1e308",
    "1e999",
    "-1",
    "-0",
    "0",
    "1e-320",
    "abc",
    "",
    "0x10",
    "1_0",
    "3.0",
    "0.5 0.5",
]
BOMB = (
    '<!DOCTYPE robot [<!ENTITY a "aaaaaaaaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)
EXTERNAL = '<!DOCTYPE robot [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
NAMES = ("name", "link", "joint", "filename", "type")  # not numbers, even when they hold digits
JUNK = ["<", ">", "&", "\x00", "]]>", "<!--", "&c;", "\ufffe", "<joint>", '"', "é"]


def _numbers(value: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"-?[\d.]+(?:e-?\d+)?", value)]


def _mutate(root: ET.Element, kind: str, a: int, b: int, value: str) -> None:
    elements = list(root.iter())[1:]
    target = elements[a % len(elements)]
    if kind == "delete_element":
        parent = next(p for p in root.iter() if target in list(p))
        parent.remove(target)
    elif kind == "delete_attribute" and target.attrib:
        del target.attrib[sorted(target.attrib)[b % len(target.attrib)]]
    elif kind == "number":
        holders = [
            (e, k)
            for e in elements
            for k in sorted(e.attrib)
            if k not in NAMES and _numbers(e.get(k))
        ]
        if holders:
            element, key = holders[a % len(holders)]
            spans = _numbers(element.get(key))
            start, end = spans[b % len(spans)]
            element.set(key, element.get(key)[:start] + value + element.get(key)[end:])
    elif kind == "limit":
        limit = root.findall("joint/limit")[a % len(root.findall("joint/limit"))]
        key, scale = (
            ("lower", "upper", "velocity", "effort")[b % 4],
            (0.5, 0.9, 1.5, 3.0, -1.0)[b // 4 % 5],
        )
        old = limit.get(key)
        scalable = old is not None and re.fullmatch(r"-?[\d.]+(?:e-?\d+)?", old)
        limit.set(key, f"{float(old) * scale:.6g}" if scalable and value not in NUMBERS else value)
    elif kind == "joint_type":
        joints = root.findall("joint")
        joints[a % len(joints)].set(
            "type",
            ["revolute", "continuous", "prismatic", "fixed", "floating", "planar", "ball", ""][
                b % 8
            ],
        )
    elif kind == "rename_link":
        links = root.findall("link")
        links[a % len(links)].set("name", value or "renamed")
    elif kind == "duplicate_joint":
        joints = root.findall("joint")
        twin = copy.deepcopy(joints[a % len(joints)])
        if b % 2:
            twin.set("name", twin.get("name", "") + "_twin")
        root.append(twin)
    elif kind == "swap_parent_child":
        joint = root.findall("joint")[a % len(root.findall("joint"))]
        parent, child = joint.find("parent"), joint.find("child")
        if parent is not None and child is not None:
            parent_link, child_link = parent.get("link"), child.get("link")
            parent.set("link", child_link or "")
            child.set("link", parent_link or "")


TREE_KINDS = [
    "delete_element",
    "delete_attribute",
    "number",
    "limit",
    "limit",
    "joint_type",
    "rename_link",
    "duplicate_joint",
    "swap_parent_child",
]


def mutated_descriptions(xml: str, ee_frames: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Mutations of `xml` (tree edits, then text edits); `ee_frames` are renamed more often than chance would."""
    plausible = st.floats(-3.0, 3.0).map(lambda x: f"{x:.4g}")
    tree_edit = st.tuples(
        st.sampled_from(TREE_KINDS),
        st.integers(0, 10_000),
        st.integers(0, 100),
        st.one_of(plausible, st.sampled_from(NUMBERS)),
    )
    ee_rename = st.tuples(
        st.sampled_from(ee_frames), st.sampled_from(["tool0", "", "panda_link1"])
    )
    text_edit = st.one_of(
        st.tuples(st.just("truncate"), st.floats(0.0, 1.0), st.just("")),
        st.tuples(st.just("splice"), st.floats(0.0, 1.0), st.sampled_from(JUNK)),
        st.tuples(st.just("prepend"), st.just(0.0), st.sampled_from([BOMB, EXTERNAL])),
        st.tuples(st.just("none"), st.just(0.0), st.just("")),
    )

    @st.composite
    def build(draw) -> str:
        root = ET.fromstring(xml)
        for kind, a, b, value in draw(st.lists(tree_edit, min_size=1, max_size=3)):
            _mutate(root, kind, a, b, value)
        text = ET.tostring(root, encoding="unicode")
        if draw(st.booleans()) and draw(st.integers(0, 4)) == 0:
            frame, name = draw(ee_rename)
            text = text.replace(f'"{frame}"', f'"{name}"')
        # Text edits on one draw in four: most descriptions should reach the parser's later checks.
        kind, where, junk = draw(text_edit) if draw(st.integers(0, 3)) == 0 else ("none", 0.0, "")
        cut = int(where * len(text))
        if kind == "truncate":
            text = text[:cut]
        elif kind == "splice":
            text = text[:cut] + junk + text[cut:]
        elif kind == "prepend":
            text = junk + (text.replace('name="', 'name="&c;', 1) if junk == BOMB else text)
        return text

    return build()
