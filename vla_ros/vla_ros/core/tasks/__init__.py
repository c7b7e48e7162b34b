"""Tasks: instructions parsed into task specs, and one RunTask episode's outcome."""
