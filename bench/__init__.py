"""Benchmark of the quant palette engine against the notebook's way, Pillow and libimagequant.

Run ``python -m bench`` (or ``python bench/run.py``); see :mod:`bench.run`.
"""
