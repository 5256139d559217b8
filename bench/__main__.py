"""``python -m bench``: print the benchmark table (see :mod:`bench.run`)."""

from bench.run import main

if __name__ == "__main__":
    raise SystemExit(main())
