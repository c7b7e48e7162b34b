"""Running a policy: the Policy interface backends implement, and the worker that runs it off the control threads."""
