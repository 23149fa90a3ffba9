"""The quantity kind: a continuous uncertain amount judged by experts."""
