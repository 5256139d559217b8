"""Benchmark of quant's palettes against the notebook's way, Pillow, libimagequant and KMeans.

Run ``python -m bench`` (or ``python bench/run.py``); see :mod:`bench.run` for what is
measured and how.
"""
