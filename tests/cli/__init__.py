"""Tests of the command line grandstream-cti, against the simulator."""
