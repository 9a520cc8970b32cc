"""statguard's version, in a module of its own so the modules that record it (reports, the
history store, exports) need not import the package, whose lazy names reach the whole library."""

__version__ = "0.1.0"
