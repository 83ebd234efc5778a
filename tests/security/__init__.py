"""Security tests (issue 27). A package, so that its modules may share a name with another
folder's (test_actions.py is also in tests/envs/): pytest imports them as security.<name>."""
