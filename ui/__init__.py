"""Streamlit-side helpers of the dashboard: session state, cached calls into ``quant``, figures."""
