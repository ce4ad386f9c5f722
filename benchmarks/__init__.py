"""Benchmarks and the model's independent checks, importable by the tests as a package.

``benchmarks.fingerprint`` (results hashed against ``fingerprint-baseline.txt``),
``benchmarks.reference_model`` (the plain-Mesa re-implementation) and ``run.py``
(``make bench``).  The scripts also run directly: ``python benchmarks/fingerprint.py --check``.
"""
