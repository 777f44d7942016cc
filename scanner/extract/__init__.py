"""Extractors turn a file (or a part of one) into Arrow arrays of text for the engine."""
