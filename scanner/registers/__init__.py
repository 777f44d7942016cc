"""Registers: read privacy statements, learn what each declares, and compare it with findings."""
