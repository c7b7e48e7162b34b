"""Safe commands out to the robot's controllers (trajectory streaming)."""
