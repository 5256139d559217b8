"""``python -m quant``: the command line of :mod:`quant.cli`."""

from quant.cli import main

if __name__ == "__main__":  # not when a process of --jobs' pool imports it
    raise SystemExit(main())
