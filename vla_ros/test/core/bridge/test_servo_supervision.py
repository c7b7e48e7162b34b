from vla_ros.core.bridge.servo_supervision import ServoPause, servo_status_level


def test_status_codes_map_to_levels():
    assert servo_status_level(0, "") == ("ok", "servo: no warning (code 0)")
    assert servo_status_level(1, "close to a singularity")[0] == "warn"
    assert servo_status_level(2, "halt")[0] == "error"
    assert servo_status_level(5, "collision")[0] == "error"
    level, message = servo_status_level(42, "new")
    assert level == "error" and "unknown status code 42" in message


def test_pause_on_hold_resume_after_with_one_request_in_flight():
    pause = ServoPause()
    assert pause.request(holding=False) is None  # running and not holding: nothing to do
    assert pause.request(holding=True) is True
    assert pause.request(holding=True) is None  # still in flight
    pause.answered(success=True)
    assert pause.paused
    assert pause.request(holding=True) is None
    assert pause.request(holding=False) is False
    pause.answered(success=False)  # refused: still paused, asked again on the next update
    assert pause.paused
    assert pause.request(holding=False) is False
    pause.answered(success=True)
    assert not pause.paused
