"""A node process whose orderly stop hangs ends anyway, saying where it hung (nodes/shutdown.py)."""

import signal
import subprocess
import sys
import time

HANGING_NODE = """
import sys, time
from vla_ros.nodes.shutdown import StopRequest
stop = StopRequest.install_once()
stop.deadline_s = 1.0
stop.spinning = True
def callback_that_never_returns():
    print("spinning", flush=True)
    while True:
        time.sleep(0.05)
callback_that_never_returns()
"""


def _start() -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HANGING_NODE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline() == "spinning\n"
    return process


def test_a_stop_that_hangs_ends_the_process_with_its_stacks_after_the_deadline():
    process = _start()
    signalled = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    took = time.monotonic() - signalled
    assert process.returncode == 1, stderr
    assert took >= 1.0, f"ended {took:.2f} s after the request, before its 1 s deadline"
    assert "callback_that_never_returns" in stderr, stderr


def test_without_a_stop_request_the_deadline_never_fires():
    process = _start()
    time.sleep(2.0)  # twice the deadline
    assert process.poll() is None
    process.kill()
    process.wait()
