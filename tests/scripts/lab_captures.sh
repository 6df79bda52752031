#!/usr/bin/env bash
# Every real lab capture in tests/pcaps/lab: semiscope's numbers against the servers' own.
exec python3 "$SEMISCOPE_SRC/tests/scripts/lab_check.py" "$1" "$SEMISCOPE_SRC/tests/pcaps/lab"
