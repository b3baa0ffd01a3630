"""Tests of the release artifacts and the library's packaging."""
