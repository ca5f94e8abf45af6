"""Type stubs for the Rust extension ``imdbfast._native``.

The native module is private: use the public wrappers in :mod:`imdbfast`.
"""

__version__: str

# --- text: tokenization, vocabulary, padding (rust/py/text.rs) ---

# --- glove: embedding file parsing (rust/py/glove.rs) ---

# --- datasets: aclImdb directory / tar.gz reading (rust/py/datasets.rs) ---
