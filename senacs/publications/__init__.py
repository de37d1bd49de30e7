"""Publications (plaquettes)."""
