"""Stand-in of moveit.core (see moveit/__init__.py)."""
