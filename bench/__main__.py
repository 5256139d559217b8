"""``python -m bench``: print the benchmark table."""

from bench.run import main

raise SystemExit(main())
