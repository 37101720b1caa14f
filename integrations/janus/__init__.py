"""Client for the Janus WebRTC server (plain Python, no Django models)."""
