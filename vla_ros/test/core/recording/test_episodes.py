"""Episode boundaries (EpisodeTracker live, split_episodes offline) and the metadata a bag carries."""

import pytest

from vla_ros.core.recording.episodes import (
    END,
    RESET,
    START,
    EpisodeEventRecord,
    EpisodeMetadata,
    EpisodeTracker,
    split_episodes,
)
from vla_ros.core.types import InvalidInput


def reset(t, seed=-1, instruction=""):
    return EpisodeEventRecord(t, RESET, instruction=instruction, seed=seed)


def start(t, instruction="pick"):
    return EpisodeEventRecord(t, START, instruction=instruction)


def end(t, success=True, duration=1.0):
    return EpisodeEventRecord(t, END, success=success, message="m", duration_s=duration)


def spans(events, first=0.0, last=100.0, tail=0.5):
    return [(s.begin_s, s.end_s) for s in split_episodes(events, "panda", first, last, tail)]


def test_no_events_is_one_episode_of_the_whole_stream():
    (span,) = split_episodes([], "panda", 3.0, 9.0)
    assert (span.begin_s, span.end_s, span.metadata.robot, span.metadata.success) == (
        3.0,
        9.0,
        "panda",
        None,
    )


def test_reset_start_end_pairs_give_one_episode_each_with_its_tail():
    events = [reset(1, 7), start(1.1), end(5), reset(10, 8), start(10.2, "stack"), end(20, False)]
    result = split_episodes(events, "panda", 0, 100)
    assert [(s.begin_s, s.end_s) for s in result] == [(1, 5.5), (10, 20.5)]
    first, second = (s.metadata for s in result)
    assert (first.seed, first.instruction, first.success, first.end_s) == (7, "pick", True, 5)
    assert (second.seed, second.instruction, second.success) == (8, "stack", False)


def test_a_start_without_reset_begins_an_episode_and_two_starts_are_two_episodes():
    assert spans([start(1), start(4), end(6)]) == [(1, 4), (4, 6.5)]


def test_an_end_without_a_start_closes_nothing_and_opens_nothing():
    assert spans([end(2)]) == []
    assert spans([reset(1), end(3), end(4)]) == [(1, 3.5)]


def test_resets_without_a_start_between_them_are_one_beginning_reseeded():
    (span,) = split_episodes([reset(1), reset(1.01, 5, "pick"), start(1.2), end(3)], "panda", 0, 9)
    assert (span.begin_s, span.metadata.seed, span.metadata.start_s) == (1, 5, 1.01)
    # the seed of the first stays when the second does not know one (a bare /vla/reset)
    (span,) = split_episodes([reset(1, 4), reset(1.01)], "panda", 0, 9)
    assert span.metadata.seed == 4


def test_the_next_beginning_ends_an_unfinished_episode_and_the_stream_end_the_last():
    result = split_episodes([reset(1, 1), start(2), reset(6, 2)], "panda", 0, 9)
    assert [(s.begin_s, s.end_s, s.metadata.success) for s in result] == [
        (1, 6, None),
        (6, 9, None),
    ]


def test_the_tail_is_cut_by_a_beginning_inside_it():
    assert spans([reset(1), start(1), end(5), reset(5.2)], last=6) == [(1, 5.2), (5.2, 6)]


def test_live_tracker_closes_an_episode_once_its_tail_has_passed():
    tracker = EpisodeTracker("panda", tail_s=0.5)
    assert tracker.event(reset(1, 3)) is not None
    tracker.event(start(1.1))
    tracker.event(end(4))
    assert tracker.due(4.4) is None and tracker.open is not None
    closed = tracker.due(4.5)
    assert (closed.begin_s, closed.end_s, closed.metadata.success) == (1, 4.5, True)
    assert tracker.open is None and tracker.completed == [closed]


def test_unknown_event_kind_is_refused_by_name():
    with pytest.raises(InvalidInput, match="unknown episode event 'pause'"):
        EpisodeTracker("panda").event(EpisodeEventRecord(1.0, "pause"))


def test_metadata_round_trips_through_custom_data_and_foreign_bags_have_none():
    meta = EpisodeMetadata("panda", "pick", "scripted", "card", 3, True, "ok", 1.0, 2.0, 1.0)
    assert EpisodeMetadata.from_custom_data(meta.to_custom_data(), "bag") == meta
    assert EpisodeMetadata.from_custom_data({}, "bag") is None
    with pytest.raises(InvalidInput, match="bag: custom_data vla_ros.episode"):
        EpisodeMetadata.from_custom_data({"vla_ros.episode": "{not json"}, "bag")
