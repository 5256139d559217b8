"""``python -m quant``: the command line of :mod:`quant.cli`."""

from quant.cli import main

raise SystemExit(main())
