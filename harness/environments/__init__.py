"""Executable environments: the classes whose public methods run an episode's tool calls."""
