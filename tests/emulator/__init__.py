"""Tests of the Graph API emulator, over HTTP only."""
