"""Tests for the Grandstream IP Phone integration."""
