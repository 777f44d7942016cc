"""Fuzzing the file readers: see ``test_fuzz.py`` for how it works and ``long_run.py`` for long runs."""
