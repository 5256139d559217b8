"""``python -m quant``: the command line of :mod:`quant.cli`."""

import gc

from quant.cli import main

if __name__ == "__main__":  # not when a process of --jobs' pool imports it
    status = main()
    # Nothing more will be collected: frozen, the objects of the modules imported (scipy's
    # with the metrics, scikit-learn's on the paths that need it) are not walked by the
    # collector's passes at exit (0.27 s of a 1.7 s run of one photo here, median of 8,
    # when the k-means imported scikit-learn).
    gc.freeze()
    raise SystemExit(status)
