"""Parts of a page too large to live in its page file, each drawn by one ``render``."""
