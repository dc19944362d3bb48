"""citizens domain: a mobile proven by a one-time code (authentication level 1), and what a
conversation that proved it may see: the requests and complaints filed with that mobile."""
