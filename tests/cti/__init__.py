"""Tests for the Grandstream IP Phone CTI client."""
