"""Word lists the detectors validate against, as Python modules (so that they ship with the package and
are imported only by the detector that needs them, the first time it does)."""
