"""LeRobot's own async-inference PolicyServer, started as a process for tests.

Same as `python -m lerobot.async_inference.policy_server --host=... --port=...`, after making
torchvision importable on CPU torch (see vla_ros.backends.torch_runtime).
"""

from vla_ros.backends.torch_runtime import ensure_torchvision_importable

if __name__ == "__main__":
    ensure_torchvision_importable()
    from lerobot.async_inference.policy_server import serve

    serve()
