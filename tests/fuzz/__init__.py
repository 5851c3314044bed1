"""The fuzzer: hostile requests to every route of the portal, as every role that reaches it.

    .venv/bin/python -m pytest --db=sqlite -p no:cacheprovider tests/fuzz     (also in make test)
    .venv/bin/python -m pytest --db=postgres -p no:cacheprovider tests/fuzz
    make fuzz                                     (randomised, 10 minutes a database)
    FUZZ_SECONDS=60 make fuzz                     (a shorter randomised run)
    FUZZ_REPORT=1 ...                             (print, per route, the share of requests
                                                   that reached form validation)
    FUZZ_FINDINGS=/tmp/findings.md ...            (also list each distinct failure there)

test_fuzz.py is the test; conftest.py makes the world, the browsers and the targets;
hostile.py makes the requests; reach.py measures how many reached a form; pinned.py keeps
the failures found, sent first in every run.
"""
